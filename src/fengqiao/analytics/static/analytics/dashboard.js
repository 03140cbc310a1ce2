// The dashboard's charts, drawn by the vendored ECharts from the page's json_script data.
(function () {
  "use strict";
  var source = document.getElementById("fq-charts");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { data: ["新登记", "结案"], top: 0, left: "center" },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "新登记", type: "bar", data: data.trend["new"], itemStyle: { color: "#206bc4" } },
      { name: "结案", type: "line", data: data.trend.closed, itemStyle: { color: "#2fb344" } }
    ]
  });
  draw("chart-categories", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.categories,
               label: { formatter: "{b}\n{c}", width: 110, overflow: "break" } }]
  });
  draw("chart-ranking", {
    tooltip: { trigger: "axis" },
    grid: { left: 90, right: 24, top: 8, bottom: 24 },
    xAxis: { type: "value", max: 100 },
    yAxis: { type: "category", inverse: true, data: data.ranking.labels },
    series: [{ type: "bar", data: data.ranking.values, itemStyle: { color: "#f59f00" },
               label: { show: true, position: "right", formatter: "{c}%" } }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute("data-charts-ready", String(charts.length));
})();
