/* Draws every chart of the page: an element [data-spec="ID"] gets the Vega-Lite spec in
   <script type="application/json" id="ID"> (template reports/_chart.html), with the options
   (language formats) in #embed-options, through the vendored vega-embed. Without JavaScript the
   page's tables carry the same figures. */
(function () {
  "use strict";
  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    var options = json("embed-options") || { actions: false, renderer: "svg" };
    options.ast = true; // vega-embed's expression interpreter: the CSP forbids eval
    document.querySelectorAll("[data-spec]").forEach(function (el) {
      window.vegaEmbed(el, json(el.getAttribute("data-spec")), options).then(function () {
        el.setAttribute("data-drawn", "1");
      }).catch(function (err) {
        el.textContent = String(err);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
