// comet serve's page: the sweeps, a sweep (sweep.js), a trial. The URL's query names what is
// shown (?sweep=...&metric=..., ?trial=...), so a link shares the view. Data comes from /api/
// (docs/serve.md); what is running refreshes every second without a reload.
"use strict";

// An element with attributes (data-*, class, ...) and children (nodes or text).
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

const fmt = (v, digits = 4) => (v === null || v === undefined ? "–"
  : typeof v === "number" && !Number.isInteger(v) ? v.toFixed(digits) : String(v));

// GET /api/...; a failure shows the server's message in the banner and rejects.
async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const item of [].concat(v)) if (item !== undefined && item !== "") query.append(k, item);
  }
  const url = "/api/" + path + (query.toString() ? "?" + query : "");
  let response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (e) {
    throw showError(`the server does not answer (${e.message}); is comet serve still running?`);
  }
  const text = await response.text();
  let body;
  try { body = JSON.parse(text); } catch (e) { body = { error: response.statusText }; }
  if (!response.ok) throw showError(body.error || `HTTP ${response.status}`, url);
  // The answer's text, so a refresh can skip redrawing what did not change.
  Object.defineProperty(body, "text", { value: text, enumerable: false });
  return body;
}

function showError(message, url) {
  const box = document.getElementById("error");
  box.hidden = false;
  box.textContent = message + (url ? `\n(${url})` : "");
  return new Error(message);
}
function clearError() { document.getElementById("error").hidden = true; }

const states = ["done", "running", "pending", "failed", "diverged"];
const stateBadge = (s) => el("span", { class: `state s-${s}` }, s);

function progressBar(counts) {
  const total = Math.max(1, counts.trials);
  return el("div", { class: "bar", title: states.map((s) => `${counts[s]} ${s}`).join(", ") },
    states.map((s) => el("span", { class: `s-${s}`, style: `width:${100 * counts[s] / total}%` })));
}

// Re-runs `refresh` every second while it returns true (something is running), else every 5 s:
// a sweep that starts later is still noticed.
const Live = {
  timer: null,
  start(refresh) {
    clearTimeout(this.timer);
    const tick = async () => {
      let running = false;
      try { running = await refresh(); clearError(); } catch (e) { /* shown in the banner */ }
      document.getElementById("live").textContent = running ? "● live" : "";
      this.timer = setTimeout(tick, running ? 1000 : 5000);
    };
    this.timer = setTimeout(tick, 1000);
  },
};

function crumbs(...items) {
  const nav = document.getElementById("crumbs");
  nav.replaceChildren(...items.flatMap((item, i) => [i ? " / " : "", item]));
}

async function sweepsView(view) {
  crumbs("sweeps");
  const table = el("table", { id: "sweeps" });
  view.replaceChildren(el("section", {}, el("h2", {}, "Sweeps"), table));
  const render = async () => {
    const sweeps = await api("sweeps");
    table.replaceChildren(
      el("tr", {}, ["sweep", "progress", "trials", ...states, "file", "updated"].map((h) => el("th", {}, h))),
      ...sweeps.map((s) => el("tr", { class: "sweep-row", "data-sweep": s.sweep },
        el("td", {}, el("a", { href: "?sweep=" + encodeURIComponent(s.sweep) }, s.sweep)),
        el("td", {}, progressBar(s)), el("td", { class: "num" }, s.trials),
        states.map((st) => el("td", { class: "num" }, s[st])),
        el("td", { class: "muted" }, s.file), el("td", { class: "muted" }, s.updated))));
    if (sweeps.length === 0) table.append(el("tr", {}, el("td", {}, "no sweep yet: comet run SWEEP.yaml")));
    view.dataset.state = "ready";
    return sweeps.some((s) => s.running > 0);
  };
  await render();
  Live.start(render);
}

async function trialView(view, id) {
  const header = el("div"), charts = el("div", { class: "charts" }), log = el("pre", { class: "log" });
  const config = el("dl", { class: "config" }), attempts = el("table"), checkpoint = el("p");
  view.replaceChildren(el("section", {}, header, el("h3", {}, "Curves"), charts),
    el("section", {}, el("h3", {}, "Config"), config), el("section", {}, el("h3", {}, "Attempts"),
      el("div", { class: "scroll" }, attempts), el("h3", {}, "Checkpoint"), checkpoint,
      el("h3", {}, "Log (tail)"), log));
  const render = async () => {
    const [t, c] = await Promise.all([api("trials/" + id), api(`trials/${id}/curves`)]);
    const sweep = t.sweeps[0];
    crumbs(el("a", { href: "/" }, "sweeps"),
      sweep ? el("a", { href: "?sweep=" + encodeURIComponent(sweep) }, sweep) : "", t.id);
    header.replaceChildren(el("h2", {}, `Trial ${t.id} `, stateBadge(t.status)),
      el("p", {}, "epochs ", el("span", { id: "trial-epochs" }, t.epochs), " of ", t.config.epochs ?? "?",
        " · parameters ", fmt(t.trainable_parameters), " · sweeps ", t.sweeps.join(", ")));
    config.replaceChildren(...Object.entries(t.config).map(([k, v]) =>
      el("div", {}, el("dt", {}, k), el("dd", {}, String(v)))));
    const fields = ["id", "host", "device", "device_name", "blas", "threads", "worker_pid",
      "started_at", "ended_at", "outcome", "kind", "error"];
    attempts.replaceChildren(el("tr", {}, fields.map((f) => el("th", {}, f))),
      ...t.attempts.map((a) => el("tr", {}, fields.map((f) => el("td", {}, a[f])))));
    const k = t.checkpoint;
    checkpoint.textContent = k.exists
      ? `${k.bytes} bytes, written ${k.modified_at}; a run resumes after epoch ${k.resumable_epoch}`
      : `no checkpoint; stored epochs 1..${k.resumable_epoch}`;
    log.textContent = t.log_tail || "(no log)";
    for (const curve of c.curves) {
      let div = charts.querySelector(`[data-metric="${curve.metric}"]`);
      if (!div) {
        div = el("div", { class: "chart trial-curve", "data-metric": curve.metric });
        charts.append(el("div", {}, el("div", { class: "cell-title" }, curve.metric), div));
      }
      Charts.lines(div, [{ label: curve.metric, x: curve.epoch, y: curve.value }],
        { xlabel: "epoch", ylabel: curve.metric });
    }
    view.dataset.state = "ready";
    return t.status === "running" || t.status === "pending";
  };
  await render();
  Live.start(render);
}

async function main() {
  const view = document.getElementById("view");
  const params = new URLSearchParams(location.search);
  try {
    if (params.get("trial")) await trialView(view, params.get("trial"));
    else if (params.get("sweep")) await SweepView.show(view, params.get("sweep"), params);
    else await sweepsView(view);
  } catch (e) {
    view.dataset.state = "error";
    view.textContent = "";
  }
}
document.addEventListener("DOMContentLoaded", main);
