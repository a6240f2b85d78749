// Screening dashboard: renders each <div data-vega-lite-spec="ID"> with the Vega-Lite spec in
// <script type="application/json" id="ID">, using the vendored vega-embed (reports app). The
// tables under the chart carry the same figures, so nothing is lost without JavaScript.
(function () {
  function render() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-vega-lite-spec]").forEach(function (target) {
      var node = document.getElementById(target.getAttribute("data-vega-lite-spec"));
      if (!node) return;
      // ast: vega-embed's expression interpreter (the CSP forbids eval).
      var options = { actions: false, renderer: "svg", ast: true };
      window.vegaEmbed(target, JSON.parse(node.textContent), options);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
