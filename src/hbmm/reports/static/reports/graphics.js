/* Loads the drawing libraries (Vega, Vega-Lite, vega-embed: some 270 KiB compressed, against
   15 KiB for the page) once the page has loaded: on a slow link (agents' phones) the figures written by the
   server are read first, and the charts and maps follow without competing with them for the
   link. The script's data-styles and data-scripts attributes list what to load; the scripts run
   in that order (async=false), after the styles have arrived. Pages: reports/_chart_scripts.html.
   (The maps are drawn by the server: hbmm.presentation.map_svg.) */
(function () {
  "use strict";
  var me = document.currentScript;
  function list(name) {
    return (me.getAttribute(name) || "").split(/\s+/).filter(Boolean);
  }
  var styles = list("data-styles");
  var scripts = list("data-scripts");
  function loadScripts() {
    scripts.forEach(function (src) {
      var s = document.createElement("script");
      s.src = src;
      s.async = false; // in the listed order
      document.body.appendChild(s);
    });
  }
  function start() {
    var waiting = styles.length;
    if (!waiting) return loadScripts();
    styles.forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onload = link.onerror = function () {
        waiting -= 1;
        if (!waiting) loadScripts();
      };
      document.head.appendChild(link);
    });
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
