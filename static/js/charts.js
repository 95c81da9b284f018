// Draws every <canvas data-chart="bar|line|pie|doughnut" data-chart-data="ID"> from the JSON in
// <script type="application/json" id="ID"> (no inline JS: the CSP forbids it). Needs Chart.js
// (static/vendor/chart-4.5.1.umd.min.js) loaded before this file. Options via data- attributes:
//   data-chart-stacked="true"   stacked bars
//   data-chart-money="true"     axis and tooltips as ¥1,234.50
// Re-runs after HTMX swaps, so charts inside fragments are drawn too. Extend compatibly: other
// features add chart types or options here rather than writing a second loader.
(function () {
  "use strict";
  var PALETTE = ["#1d4ed8", "#b91c1c", "#15803d", "#b45309", "#7c3aed", "#0e7490", "#be185d", "#4b5563"];

  function yuan(value) {
    var n = Number(value);
    return "¥" + n.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // Axis ticks are round figures: ¥1,500 rather than ¥1,500.00.
  function yuanTick(value) {
    return "¥" + Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 0 });
  }

  function draw(canvas) {
    if (canvas.dataset.chartDrawn || typeof window.Chart === "undefined") { return; }
    var source = document.getElementById(canvas.dataset.chartData);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var type = canvas.dataset.chart || "bar";
    var stacked = canvas.dataset.chartStacked === "true";
    var money = canvas.dataset.chartMoney === "true";
    (data.datasets || []).forEach(function (ds, i) {
      var color = PALETTE[i % PALETTE.length];
      if (!ds.backgroundColor) { ds.backgroundColor = type === "line" ? color + "33" : color; }
      if (!ds.borderColor) { ds.borderColor = color; }
      ds.data = ds.data.map(Number);  // amounts travel as exact strings
    });
    var options = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } };
    if (type === "bar" || type === "line") {
      options.scales = { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } };
      if (money) { options.scales.y.ticks = { callback: yuanTick }; }
    }
    if (money) {
      options.plugins.tooltip = { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + yuan(ctx.parsed.y !== undefined ? ctx.parsed.y : ctx.parsed); } } };
    }
    canvas.dataset.chartDrawn = "1";
    new window.Chart(canvas, { type: type, data: data, options: options });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  window.intranetCharts = { drawAll: drawAll };
})();
