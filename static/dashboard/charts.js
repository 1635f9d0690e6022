/* Draws every Plotly figure on the page and makes filter selects submit on change.
 * Figures arrive as JSON in <script type="application/json" id="fig-…"> blocks written by
 * Django's json_script; a container names its figure with data-figure="fig-…".
 * No inline scripts, no CDN: plotly.js is served from our own static files. */
(function () {
  "use strict";

  var LOCALE_EN = (document.documentElement.lang || "").indexOf("en") === 0;

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-figure"));
    if (!source || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(source.textContent);
    if (!fig || !fig.data || fig.data.length === 0) {
      container.classList.add("chart-empty");
      container.textContent = LOCALE_EN ? "No data for this selection." : "当前条件下没有可绘制的数据。";
      return;
    }
    Plotly.newPlot(container, fig.data, fig.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { filename: container.id }
    }).then(function () { container.setAttribute("data-rendered", "true"); });
  }

  function autoSubmit() {
    var form = document.getElementById("filters");
    if (!form) { return; }
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        // The comparison year only makes sense relative to the chosen year: reset it.
        if (select.name === "year") {
          var compare = form.querySelector("select[name=compare]");
          if (compare) { compare.value = ""; }
        }
        form.submit();
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-figure]").forEach(draw);
    autoSubmit();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
