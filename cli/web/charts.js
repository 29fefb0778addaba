// Charts over dygraphs (libjs-dygraphs): curves of trials, and Fig. 4's min..max bands.
"use strict";
const Charts = (() => {
  // The figures' palette (results/src/figure_data.cpp), so the page and the PDFs agree.
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                   "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#393b79"];
  const color = (i) => palette[i % palette.length];
  // Epochs are whole numbers: no "1.5" tick on a 3-epoch curve.
  const epochAxis = { x: { axisLabelFormatter: (x) => (Number.isInteger(x) ? String(x) : "") } };

  // Rows [x, y1, y2, ...] over the union of the curves' x values (null where one has none).
  function rows(curves, cell) {
    const byX = new Map();
    curves.forEach((c, i) => c.x.forEach((x, k) => {
      if (x === null) return;
      if (!byX.has(x)) byX.set(x, new Array(curves.length).fill(null));
      byX.get(x)[i] = cell(c, k);
    }));
    return [...byX.keys()].sort((a, b) => a - b).map((x) => [x, ...byX.get(x)]);
  }

  // One chart per div, kept on it, so a refresh only swaps the data (no flicker, zoom kept).
  function draw(div, data, options) {
    if (div.chart && div.chart.labels === options.labels.join("|")) {
      div.chart.updateOptions({ file: data, logscale: options.logscale });
      return div.chart;
    }
    if (div.chart) div.chart.destroy();
    div.chart = new Dygraph(div, data, options);
    div.chart.labels = options.labels.join("|");
    return div.chart;
  }

  // curves: [{label, x: [...], y: [...]}]. Many curves: thin lines, the hovered one highlighted,
  // no legend of a thousand names (the hovered one is shown in `legendDiv`).
  function lines(div, curves, { xlabel, ylabel, logscale, legendDiv, colors }) {
    div.dataset.curves = curves.length;
    div.dataset.points = curves.reduce((n, c) => n + c.y.filter((v) => v !== null).length, 0);
    if (curves.length === 0) { div.textContent = "no data yet"; return; }
    const many = curves.length > 12;
    const labels = [xlabel, ...curves.map((c) => c.label)];
    draw(div, rows(curves, (c, k) => c.y[k]), {
      labels, xlabel, ylabel, logscale: !!logscale, connectSeparatedPoints: true,
      colors: colors || curves.map((_, i) => color(i)),
      strokeWidth: many ? 0.8 : 1.6, drawPoints: curves[0].x.length < 15,
      highlightSeriesOpts: many ? { strokeWidth: 2.5, highlightCircleSize: 3 } : undefined,
      // One curve is named by its panel's title; many are named on hover.
      legend: many || curves.length === 1 ? "never" : "always", labelsSeparateLines: !many,
      highlightCallback: (e, x, points, row, name) => {
        if (legendDiv) legendDiv.textContent = name ? `${name}: ${xlabel} ${x}` : "";
      },
      unhighlightCallback: () => { if (legendDiv) legendDiv.textContent = ""; },
      animatedZooms: false, axes: xlabel === "epoch" ? epochAxis : undefined,
    });
  }

  // bands: [{series, epoch: [...], min: [...], mid: [...], max: [...]}], all series' labels.
  function bands(div, cellBands, seriesNames, { ylabel, logscale, valueRange }) {
    div.dataset.bands = cellBands.length;
    if (cellBands.length === 0) { div.textContent = "no trial"; return; }
    const curves = cellBands.map((b) => ({ x: b.epoch, b }));
    const data = rows(curves, (c, k) => [c.b.min[k], c.b.mid[k], c.b.max[k]]);
    draw(div, data, {
      labels: ["epoch", ...cellBands.map((b) => seriesNames[b.series])],
      colors: cellBands.map((b) => color(b.series)),
      customBars: true, fillAlpha: 0.25, ylabel, logscale: !!logscale, legend: "never",
      valueRange, drawPoints: data.length < 15, strokeWidth: 1.5, xlabel: "epoch",
      axes: epochAxis,
    });
  }

  return { lines, bands, color };
})();
