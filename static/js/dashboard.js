/* salesperf dashboards: draw the plotly figures embedded in the page (progressive enhancement).
   Each chart is <div data-figure="ID"> next to <script type="application/json" id="ID">; the
   data table under it carries the same numbers when JavaScript or plotly.js is unavailable. */
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      element.textContent = "";
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true,
        displayModeBar: false,
        locale: document.documentElement.lang || "en"
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
