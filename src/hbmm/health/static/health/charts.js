// Renders each Vega-Lite specification of the page: an element <div data-vega-spec="ID">
// gets the chart whose spec is in <script id="ID" type="application/json"> (json_script).
// Uses the vega-embed vendored by the reports app; without it, the tables next to the charts
// carry the same data.
(function () {
  function render() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-vega-spec]").forEach(function (target) {
      var node = document.getElementById(target.getAttribute("data-vega-spec"));
      if (!node) return;
      target.hidden = false;
      // ast: vega-embed's expression interpreter (the CSP forbids eval).
      window.vegaEmbed(target, JSON.parse(node.textContent), { actions: false, ast: true });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
