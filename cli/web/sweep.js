// One sweep: its trials (filtered, sorted, paged by the server), their curves of any metric,
// the compare table (`comet compare`) and Fig. 4's grid (`comet plot grid`).
"use strict";
const SweepView = (() => {
  const gridMetrics = ["val_acc", "val_loss", "train_acc", "train_loss"];  // comet plot grid's
  const columns = ["status", "epochs", "best_val_acc", "final_val_acc", "params"];

  // The view's state is the URL's query: every control writes it back (history.replaceState).
  function readState(sweep, p) {
    return { sweep, where: p.getAll("where"), status: p.get("status") || "",
      sort: p.get("sort") || "", order: p.get("order") || "asc", offset: +p.get("offset") || 0,
      limit: +p.get("limit") || 100, metric: p.get("metric") || "val_acc", x: p.get("x") || "epoch",
      log: p.get("log") === "1", rows: p.get("rows"), cols: p.get("cols"), by: p.get("by"),
      agg: p.get("agg") || "best" };
  }
  function writeState(s) {
    const q = new URLSearchParams({ sweep: s.sweep });
    s.where.forEach((w) => q.append("where", w));
    for (const k of ["status", "sort", "metric", "x", "rows", "cols", "by"]) if (s[k]) q.set(k, s[k]);
    if (s.order !== "asc") q.set("order", s.order);
    if (s.offset) q.set("offset", s.offset);
    if (s.limit !== 100) q.set("limit", s.limit);
    if (s.log) q.set("log", "1");
    if (s.agg !== "best") q.set("agg", s.agg);
    history.replaceState(null, "", "?" + q);
  }
  const selection = (s) => ({ where: s.where, status: s.status, sort: s.sort, order: s.order,
    offset: s.offset, limit: s.limit });

  function select(options, value, onchange, attrs = {}) {
    return el("select", { ...attrs, onchange: (e) => onchange(e.target.value) },
      options.map((o) => el("option", { value: o, selected: o === value }, o === "" ? "none" : o)));
  }
  const note = (section) => section.querySelector(".msg");
  function sectionError(section, e) { note(section).textContent = e.message; }

  async function show(view, sweep, params) {
    const s = readState(sweep, params);
    const [meta, metrics] = await Promise.all([api("sweeps/" + encodeURIComponent(sweep) +
      "/trials", { limit: 1 }), api("metrics")]);
    // Axes: the paper's (width x p_k, by model) when the sweep varies them.
    const varying = meta.varying.filter((k) => k !== "seed");
    const pick = (wanted, fallback) => (varying.includes(wanted) ? wanted : fallback);
    s.by ??= pick("model", varying[0] || "");
    s.rows ??= pick("width", varying.find((k) => k !== s.by) || "");
    s.cols ??= pick("p_k", varying.find((k) => k !== s.by && k !== s.rows) || "");
    crumbs(el("a", { href: "/" }, "sweeps"), sweep);

    const head = el("section"), trials = el("section"), curves = el("section");
    const compare = el("section"), grid = el("section");
    view.replaceChildren(head, trials, curves, compare, grid);
    const shown = { trials: null, curves: null };  // the answers drawn last
    const update = () => { writeState(s); renderTrials(); renderCurves(); };
    const updateAxes = () => { writeState(s); renderCompare(); renderGrid(); };

    // --- the sweep's counts
    const renderHead = async () => {
      const row = (await api("sweeps")).find((x) => x.sweep === sweep);
      head.replaceChildren(el("h2", {}, "Sweep ", sweep), el("div", { class: "controls" },
        progressBar(row), states.map((st) => el("span", {}, stateBadge(st), " ", row[st])),
        el("span", { class: "muted" }, row.file)));
      return row;
    };

    // --- trials: filter, sort, pages
    const filter = el("input", { size: 40, value: s.where.join(" "),
      placeholder: "model=comet width>=100 best_val_acc>0.8" });
    filter.addEventListener("change", () => {
      s.where = filter.value.split(/\s+/).filter(Boolean); s.offset = 0; update();
    });
    const table = el("table", { id: "trials" }), pager = el("span");
    trials.append(el("h3", {}, "Trials"), el("div", { class: "controls" },
      el("label", {}, "filter ", filter),
      el("label", {}, "state ", select(["", ...states], s.status, (v) => { s.status = v; s.offset = 0; update(); })),
      el("label", {}, "per page ", select(["100", "1000"], String(s.limit), (v) => { s.limit = +v; s.offset = 0; update(); })),
      pager), el("div", { class: "msg muted" }), el("div", { class: "scroll" }, table));
    const renderTrials = async () => {
      let page;
      try { page = await api(`sweeps/${encodeURIComponent(sweep)}/trials`, selection(s)); }
      catch (e) { sectionError(trials, e); return false; }
      note(trials).textContent = "";
      const running = page.trials.some((t) => t.status === "running");
      if (page.text === shown.trials) return running;  // unchanged: a 1000-row redraw spared
      shown.trials = page.text;
      const keys = page.varying.filter((k) => k !== "seed").concat(page.varying.includes("seed") ? ["seed"] : []);
      const header = (name) => el("th", { class: "sortable" + (s.sort === name ? ` sorted-${s.order}` : ""),
        onclick: () => { s.order = s.sort === name && s.order === "asc" ? "desc" : "asc"; s.sort = name; update(); } }, name);
      table.replaceChildren(el("tr", {}, header("trial"), keys.map(header), columns.map(header)),
        ...page.trials.map((t) => el("tr", { class: "trial-row", "data-trial": t.trial },
          el("td", {}, el("a", { href: "?trial=" + t.trial }, t.trial)),
          keys.map((k) => el("td", {}, t[k] ?? "–")),
          el("td", {}, stateBadge(t.status)), columns.slice(1).map((c) => el("td", { class: "num" }, fmt(t[c]))))));
      const last = Math.min(page.total, s.offset + s.limit);
      pager.replaceChildren(`${page.total ? s.offset + 1 : 0}–${last} of ${page.total} `,
        el("button", { disabled: s.offset === 0, onclick: () => { s.offset = Math.max(0, s.offset - s.limit); update(); } }, "‹"),
        el("button", { disabled: last >= page.total, onclick: () => { s.offset += s.limit; update(); } }, "›"));
      return running;
    };

    // --- curves of the listed trials, any metric
    const chart = el("div", { id: "curves", class: "chart" }), hover = el("div", { class: "muted" });
    curves.append(el("h3", {}, "Curves of the listed trials"), el("div", { class: "controls" },
      el("label", {}, "metric ", select(metrics.map((m) => m.metric), s.metric, (v) => { s.metric = v; update(); })),
      el("label", {}, "x ", select(["epoch", "seconds"], s.x, (v) => { s.x = v; update(); })),
      el("label", {}, el("input", { type: "checkbox", checked: s.log, onchange: (e) => { s.log = e.target.checked; update(); } }), " log scale"),
      hover), el("div", { class: "msg muted" }), chart);
    const renderCurves = async () => {
      let c;
      try { c = await api(`sweeps/${encodeURIComponent(sweep)}/curves`, { ...selection(s), metric: s.metric, x: s.x }); }
      catch (e) { sectionError(curves, e); return; }
      note(curves).textContent = "";
      if (c.text + s.log === shown.curves) return;  // unchanged: 1000 curves not redrawn
      shown.curves = c.text + s.log;
      Charts.lines(chart, c.curves.map((k) => ({ label: k.trial, x: s.x === "seconds" ? k.seconds : k.epoch, y: k.value })),
        { xlabel: s.x, ylabel: s.metric, logscale: s.log, legendDiv: hover });
    };

    // --- the compare table and the grid share their axes
    const axisOptions = ["", ...meta.varying];
    const cmpTable = el("table", { id: "compare" });
    compare.append(el("h3", {}, "Compare (mean ± std over seeds; ★ the best per row)"),
      el("div", { class: "controls" },
        el("label", {}, "rows ", select(axisOptions, s.rows, (v) => { s.rows = v; updateAxes(); })),
        el("label", {}, "cols ", select(axisOptions, s.cols, (v) => { s.cols = v; updateAxes(); })),
        el("label", {}, "by ", select(axisOptions, s.by, (v) => { s.by = v; updateAxes(); })),
        el("label", {}, "agg ", select(["best", "final", "auc"], s.agg, (v) => { s.agg = v; updateAxes(); }))),
      el("div", { class: "msg muted" }), el("div", { class: "scroll" }, cmpTable));
    const renderCompare = async () => {
      let cells;
      try { cells = await api(`sweeps/${encodeURIComponent(sweep)}/compare`, { rows: s.rows || "none",
        cols: s.cols || "none", by: s.by || "none", metric: s.metric, agg: s.agg, where: s.where }); }
      catch (e) { sectionError(compare, e); cmpTable.replaceChildren(); return; }
      note(compare).textContent = "";
      const variants = [...new Set(cells.map((c) => c.by))];
      const keys = [...new Set(cells.map((c) => JSON.stringify([c.row, c.col])))].map((k) => JSON.parse(k));
      cmpTable.replaceChildren(el("tr", {}, s.rows && el("th", {}, s.rows), s.cols && el("th", {}, s.cols),
        variants.map((v) => el("th", {}, v || "all"))),
        ...keys.map(([row, col]) => el("tr", {}, s.rows && el("td", {}, row), s.cols && el("td", {}, col),
          variants.map((v) => {
            const c = cells.find((x) => x.row === row && x.col === col && x.by === v);
            if (!c) return el("td", {}, "–");
            return el("td", { class: "cmp num" + (c.best ? " best" : ""), "data-row": row, "data-col": col,
              "data-by": v, "data-mean": String(c.mean), "data-std": String(c.std), "data-n": c.n,
              "data-best": c.best }, `${fmt(c.mean)} ± ${fmt(c.std)} (${c.n})`);
          }))));
    };

    // --- Fig. 4: one panel per (row, col), one min..max band over seeds per `by` value
    const gridDiv = el("div", { id: "grid", class: "grid" }), legend = el("div", { class: "legend" });
    const gridMetric = () => (gridMetrics.includes(s.metric) ? s.metric : "val_acc");
    grid.append(el("h3", {}, "Fig. 4 grid (band: min..max over seeds; line: midpoint)"), legend,
      el("div", { class: "msg muted" }), gridDiv);
    const renderGrid = async () => {
      let g;
      try { g = await api(`sweeps/${encodeURIComponent(sweep)}/grid`, { metric: gridMetric(),
        rows: s.rows || "dataset", cols: s.cols || "dataset", by: s.by || "dataset" }); }
      catch (e) { sectionError(grid, e); gridDiv.replaceChildren(); return; }
      note(grid).textContent = "";
      legend.replaceChildren(...g.series.map((name, i) => el("span", {},
        el("span", { class: "swatch", style: `background:${Charts.color(i)}` }), `${g.by}=${name}`)));
      const all = g.cells.flatMap((c) => c.bands.flatMap((b) => [...b.min, ...b.max]));
      const valueRange = all.length ? [Math.min(...all), Math.max(...all)] : undefined;
      gridDiv.style.gridTemplateColumns = `repeat(${g.col_values.length}, minmax(220px, 1fr))`;
      if (gridDiv.children.length !== g.cells.length) {
        gridDiv.replaceChildren(...g.cells.map((c) => el("div", {},
          el("div", { class: "cell-title" }, `${g.rows}=${g.row_values[c.row]}, ${g.cols}=${g.col_values[c.col]}`),
          el("div", { class: "chart grid-cell", "data-row": g.row_values[c.row], "data-col": g.col_values[c.col] }))));
      }
      g.cells.forEach((c, i) => Charts.bands(gridDiv.children[i].lastChild, c.bands, g.series,
        { ylabel: g.metric, logscale: s.log, valueRange }));
    };

    let done = -1;
    const refresh = async () => {
      const row = await renderHead();
      const [running] = await Promise.all([renderTrials(), renderCurves()]);
      if (row.done !== done) { done = row.done; await Promise.all([renderCompare(), renderGrid()]); }
      view.dataset.state = "ready";
      return running || row.running > 0;
    };
    await refresh();
    Live.start(refresh);
  }
  return { show };
})();
