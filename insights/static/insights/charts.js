// Draws the dashboard's bar charts as SVG from the figures the page publishes.
// Withheld figures ("<5", "*") get no bar, only their mark: the chart never shows more than
// the table does.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = document.getElementById("dashboard-charts");
  var box = document.getElementById("charts");
  if (!data || !box) return;

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function draw(chart) {
    var row = 26, labelWidth = 160, width = 400, barSpace = width - labelWidth - 48;
    var values = chart.bars.map(function (b) { return b.value || 0; });
    var max = chart.max || Math.max.apply(null, values.concat([1]));
    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + (chart.bars.length * row + 8),
      width: "100%",
      role: "img",
    });
    chart.bars.forEach(function (bar, i) {
      var y = i * row + 4;
      svg.appendChild(el("text", { x: labelWidth - 6, y: y + 16, "text-anchor": "end", class: "chart-label" }, bar.label));
      var length = bar.value === null ? 0 : Math.max(1, Math.round(barSpace * bar.value / max));
      if (length) svg.appendChild(el("rect", { x: labelWidth, y: y + 3, width: length, height: row - 10, class: "chart-bar" }));
      svg.appendChild(el("text", { x: labelWidth + length + 4, y: y + 16, class: "chart-value" }, bar.text));
    });
    var figure = document.createElement("figure");
    figure.className = "chart panel";
    var caption = document.createElement("figcaption");
    caption.textContent = chart.title;
    figure.appendChild(caption);
    figure.appendChild(svg);
    box.appendChild(figure);
  }

  JSON.parse(data.textContent).forEach(draw);
})();
