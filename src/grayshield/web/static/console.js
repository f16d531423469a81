// Draws the charts whose data the server embedded as JSON (CSP forbids inline scripts), on load and after
// every HTMX swap. Chart specs: {title, kind: "bar"|"line"|"pie"|"multi"|"graph", x, y, data, series, markLine}.
(function () {
  "use strict";

  function option(spec) {
    var base = { animation: false, title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } }, tooltip: {} };
    if (spec.kind === "graph") {
      base.legend = { data: spec.categories, bottom: 0 };
      base.series = [{ type: "graph", layout: "force", roam: true,
        categories: spec.categories.map(function (c) { return { name: c }; }),
        data: spec.nodes, links: spec.links, force: { repulsion: 60, edgeLength: 40 } }];
      return base;
    }
    if (spec.kind === "pie") {
      base.series = [{ type: "pie", radius: "60%", data: spec.data }];
      return base;
    }
    base.grid = { left: 48, right: 24, top: 40, bottom: 32 };
    base.xAxis = { type: "category", data: spec.x };
    base.yAxis = { type: "value" };
    if (spec.kind === "multi") {  // several series over one axis: {series: [{name, data}], type, stack}
      base.legend = { bottom: 0 };
      base.grid.bottom = 48;
      base.tooltip = { trigger: "axis" };
      base.series = spec.series.map(function (s) {
        return { type: spec.type || "bar", name: s.name, data: s.data, stack: spec.stack ? "all" : undefined };
      });
      return base;
    }
    var series = { type: spec.kind, data: spec.y, smooth: spec.kind === "line" };
    if (spec.markLine) {
      series.markLine = { silent: true, symbol: "none", data: spec.markLine.map(function (v) { return { yAxis: v }; }) };
    }
    base.series = [series];
    return base;
  }

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var chart = echarts.getInstanceByDom(el) || echarts.init(el);
      chart.setOption(option(JSON.parse(source.textContent)));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
})();
