// Renders the Vega-Lite specifications embedded in the page (<script type="application/json"
// data-vega-target="id">) when the vendored vega-embed is loaded (window.vegaEmbed);
// without it the tables next to the charts carry the same data.
(function () {
  function render() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("script[data-vega-target]").forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-vega-target"));
      if (!target) return;
      window.vegaEmbed(target, JSON.parse(node.textContent), { actions: false });
      target.hidden = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
