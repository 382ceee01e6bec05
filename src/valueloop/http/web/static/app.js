/* Draw the charts of a page from its embedded JSON (no data fetched, nothing invented). */
(function () {
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || !window.echarts) return;
    var data = JSON.parse(node.textContent);
    var opts = {
      trend: function (d) {
        return { tooltip: { trigger: "axis" }, legend: { data: d.labels }, xAxis: { type: "category", data: d.periods },
          yAxis: { type: "value", scale: true },
          series: [{ name: d.labels[0], type: "line", data: d.mean, symbolSize: 10 },
                   { name: d.labels[1], type: "line", data: d.min, lineStyle: { type: "dashed" } },
                   { name: d.labels[2], type: "line", data: d.max, lineStyle: { type: "dashed" } }] };
      },
      radar: function (d) {
        return { tooltip: {}, radar: { indicator: d.indicators },
          series: [{ type: "radar", data: [{ value: d.values, name: d.label, areaStyle: { opacity: 0.3 } }] }] };
      },
      heatmap: function (d) {
        return { tooltip: { position: "top" }, grid: { left: 160, right: 30, top: 10, bottom: 120 },
          xAxis: { type: "category", data: d.periods, splitArea: { show: true }, axisLabel: { rotate: 30 } },
          yAxis: { type: "category", data: d.items, splitArea: { show: true } },
          visualMap: { min: 0, max: d.max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                       inRange: { color: ["#f7fbff", "#fdae61", "#d73027"] } },
          series: [{ name: d.label, type: "heatmap", data: d.cells, label: { show: false } }] };
      },
      sentiment: function (d) {
        return { tooltip: { trigger: "axis" }, legend: { data: d.labels }, xAxis: { type: "category", data: d.periods },
          yAxis: [{ type: "value", name: d.labels[0], min: 0, max: 100 }, { type: "value", name: d.labels[1], min: -1, max: 1 }],
          series: [{ name: d.labels[0], type: "bar", data: d.negative, itemStyle: { color: "#e57373" } },
                   { name: d.labels[1], type: "line", yAxisIndex: 1, data: d.score, symbolSize: 8,
                     itemStyle: { color: "#2f6fde" } }] };
      },
      vsm: function (d) {
        /* stacked per-step bars (median minutes): planned wait, other wait, processing; the bottleneck step in red */
        function paint(values, normal, hot) {
          return values.map(function (v, i) { return { value: v, itemStyle: { color: d.bottleneck === i ? hot : normal } }; });
        }
        var l = d.labels;
        return { tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { data: [l[3], l[0], l[1], l[2]] },
          grid: { left: 60, right: 30, top: 40, bottom: 60 },
          xAxis: { type: "category", data: d.steps, axisLabel: { interval: 0 } },
          yAxis: { type: "value", name: d.unit },
          series: [{ name: l[3], type: "bar", stack: "time", itemStyle: { color: "#e4ebf2" }, data: d.planned },
                   { name: l[0], type: "bar", stack: "time", itemStyle: { color: "#9fb3c8" }, data: paint(d.wait, "#9fb3c8", "#ef9a9a") },
                   { name: l[1], type: "bar", stack: "time", itemStyle: { color: "#2f6fde" }, data: paint(d.process, "#2f6fde", "#c62828") },
                   { name: l[2], type: "scatter", data: d.standard, symbol: "diamond", symbolSize: 12, itemStyle: { color: "#b7791f" } }] };
      },
      distribution: function (d) {
        return { tooltip: {}, xAxis: { type: "category", data: d.bins, axisLabel: { rotate: 30 } }, yAxis: { type: "value" },
          series: [{ name: d.label, type: "bar", data: d.counts, itemStyle: { color: "#2f6fde" } }] };
      }
    };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (!data[kind]) return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(Object.assign({ animation: false }, opts[kind](data[kind])));
      el.setAttribute("data-rendered", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
