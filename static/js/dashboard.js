/* salesperf dashboards: draw the plotly figures embedded in the page (progressive enhancement).
   Each chart is <div data-figure="ID"> next to <script type="application/json" id="ID">; the
   data table under it carries the same numbers when JavaScript or plotly.js is unavailable.
   The reader's language comes as <script type="application/json" id="plotly-locale"> (month and
   day names, separators); in a right-to-left language the charts are mirrored. */
(function () {
  "use strict";
  function locale() {
    var source = document.getElementById("plotly-locale");
    if (!source) { return null; }
    var spec = JSON.parse(source.textContent);
    window.Plotly.register({ moduleType: "locale", name: spec.name, dictionary: spec.dictionary, format: spec.format });
    return spec;
  }
  function mirror(layout) {
    Object.keys(layout).forEach(function (key) {
      if (/^xaxis\d*$/.test(key)) { layout[key].autorange = "reversed"; }
      if (/^yaxis\d*$/.test(key)) { layout[key].side = "right"; layout[key].automargin = true; }
    });
    if (!layout.xaxis) { layout.xaxis = { autorange: "reversed" }; }
    if (!layout.yaxis) { layout.yaxis = { side: "right" }; }
    layout.legend = Object.assign({}, layout.legend || {}, { x: 1, xanchor: "right" });
  }
  function draw() {
    if (!window.Plotly) { return; }
    var spec = locale();
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      if (spec && spec.rtl) { mirror(figure.layout); }
      element.textContent = "";
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true,
        displayModeBar: false,
        locale: spec ? spec.name : (document.documentElement.lang || "en")
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
