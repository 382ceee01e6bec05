/* Draw the charts of a page from its embedded JSON (no data fetched, nothing invented). */
(function () {
  function fixed(digits) { return function (v) { return typeof v === "number" ? v.toFixed(digits) : v; }; }
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || !window.echarts) return;
    var data = JSON.parse(node.textContent);
    var opts = {
      trend: function (d) {
        return { tooltip: { trigger: "axis", valueFormatter: fixed(2) }, legend: { data: d.labels, bottom: 0 },
          grid: { left: 56, right: 24, top: 40, bottom: 76 },
          xAxis: { type: "category", data: d.periods, name: d.axes[0], nameLocation: "middle", nameGap: 26 },
          yAxis: { type: "value", scale: true, name: d.axes[1], nameLocation: "end" },
          series: [{ name: d.labels[0], type: "line", data: d.mean, symbolSize: 10,
                     label: { show: true, position: "top", formatter: function (p) { return p.value.toFixed(2); } } },
                   { name: d.labels[1], type: "line", data: d.min, lineStyle: { type: "dashed" } },
                   { name: d.labels[2], type: "line", data: d.max, lineStyle: { type: "dashed" } }] };
      },
      radar: function (d) {
        return { tooltip: { valueFormatter: fixed(2) }, radar: { indicator: d.indicators, radius: "62%" },
          series: [{ type: "radar", data: [{ value: d.values, name: d.label, areaStyle: { opacity: 0.3 },
            label: { show: true, formatter: function (p) { return p.value.toFixed(2); } } }] }] };
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
        /* one very long wait would flatten every other bar: the axis stops at d.cap and a capped bar
           carries its real total (with ↑) above it, so the bottleneck stays readable */
        var totals = d.totals.map(function (v, i) {
          return { value: [i, d.cap !== null && v > d.cap ? d.cap : v], total: v, capped: d.cap !== null && v > d.cap };
        });
        return { tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { data: [l[3], l[0], l[1], l[2]] },
          grid: { left: 64, right: 30, top: 48, bottom: 60 },
          xAxis: { type: "category", data: d.steps, axisLabel: { interval: 0 } },
          yAxis: { type: "value", name: d.unit, max: d.cap === null ? null : d.cap },
          series: [{ name: l[3], type: "bar", stack: "time", itemStyle: { color: "#e4ebf2" }, data: d.planned },
                   { name: l[0], type: "bar", stack: "time", itemStyle: { color: "#9fb3c8" }, data: paint(d.wait, "#9fb3c8", "#ef9a9a") },
                   { name: l[1], type: "bar", stack: "time", itemStyle: { color: "#2f6fde" }, data: paint(d.process, "#2f6fde", "#c62828") },
                   { name: l[2], type: "scatter", data: d.standard, symbol: "diamond", symbolSize: 12, itemStyle: { color: "#b7791f" } },
                   { name: d.total_label, type: "scatter", data: totals, symbolSize: 0, tooltip: { show: false },
                     label: { show: true, position: "top", fontWeight: "bold",
                              formatter: function (p) { return p.data.total.toFixed(1) + (p.data.capped ? " ↑" : ""); } } }] };
      },
      surveytrend: function (d) {
        /* survey invitations and answers received per period (bars), the response rate in % (line, right axis) */
        return { tooltip: { trigger: "axis" }, legend: { data: d.labels, bottom: 0 },
          grid: { left: 56, right: 56, top: 40, bottom: 60 },
          xAxis: { type: "category", data: d.periods },
          yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, name: "%" }],
          series: [{ name: d.labels[0], type: "bar", data: d.invited, itemStyle: { color: "#9fb3c8" } },
                   { name: d.labels[1], type: "bar", data: d.responses, itemStyle: { color: "#2f6fde" } },
                   { name: d.labels[2], type: "line", yAxisIndex: 1, data: d.rate, symbolSize: 8, connectNulls: false,
                     itemStyle: { color: "#b7791f" } }] };
      },
      distribution: function (d) {
        return { tooltip: {}, grid: { left: 56, right: 24, top: 40, bottom: 84 },
          xAxis: { type: "category", data: d.bins, axisLabel: { rotate: 30 }, name: d.axes[0], nameLocation: "middle", nameGap: 64 },
          yAxis: { type: "value", minInterval: 1, name: d.axes[1] },
          series: [{ name: d.label, type: "bar", data: d.counts, itemStyle: { color: "#2f6fde" },
                     label: { show: true, position: "top" } }] };
      }
    };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (!data[kind]) return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      /* every chart can be saved as a PNG for a slide or an e-mail (drawn here, nothing fetched) */
      var save = { feature: { saveAsImage: { title: node.dataset.save || "PNG", name: kind, pixelRatio: 2 } }, right: 8, top: 0 };
      chart.setOption(Object.assign({ animation: false, toolbox: save }, opts[kind](data[kind])));
      el.setAttribute("data-rendered", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
