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
  // On a narrow screen (a phone) an axis' labels may take at most 45 % of the chart's width,
  // cut with "…" (the full text is in the tooltip): a label limit set for a laptop would
  // leave the bars no room.
  function fitLabels(node, cap, inAxis) {
    if (Array.isArray(node)) {
      node.forEach(function (n) { fitLabels(n, cap, false); });
    } else if (node && typeof node === "object") {
      Object.keys(node).forEach(function (key) {
        if (inAxis && key === "labelLimit" && typeof node[key] === "number") {
          node[key] = Math.min(node[key], cap);
        } else {
          fitLabels(node[key], cap, /^axis/.test(key));
        }
      });
    }
  }
  // A legend on a narrower page: one entry a line, a long label wrapped on as many lines as it
  // needs (never cut: the checklist items of the capacity chart are long). The legend starts
  // under the plot, right of the y axis' labels: its lines are as wide as what is left.
  var LEGEND_CHANNELS = ["color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"];
  function fitLegends(spec, width) {
    // the plot (and the legend under it) starts right of the y axis' labels: at most 45 %
    // of the width on a phone (fitLabels), about a third on a laptop
    var room = (width < 600 ? 0.55 : 0.65) * width - 30;
    var lineChars = Math.max(12, Math.floor(room / 6.6));
    var encodings = [spec.encoding].concat((spec.layer || []).map(function (l) { return l.encoding; }));
    encodings.forEach(function (encoding) {
      LEGEND_CHANNELS.forEach(function (channel) {
        var def = encoding && encoding[channel];
        if (!def || def.legend === null || !def.field) return;
        def.legend = Object.assign({}, def.legend, {
          columns: 1, labelLimit: Math.round(room), labelExpr: wrapExpr(lineChars)
        });
      });
    });
  }
  function wrapExpr(lineChars) {
    // "a long label" -> ["a long", "label"]: the longest run of at most lineChars characters
    // that ends at a space, again and again.
    return "split(trim(replace(datum.label, regexp('(.{1," + lineChars + "})( +|$)', 'g'), '$1\\n')), '\\n')";
  }
  function forWidth(spec, width) {
    if (!spec || !width) return spec;
    spec.config = spec.config || {};
    // Legends: up to a wide laptop column, where two columns of long labels do not fit.
    if (width < 1000) fitLegends(spec, width);
    if (width >= 600) return spec;
    var cap = Math.max(80, Math.round(width * 0.45));
    fitLabels(spec, cap, false);
    spec.config.axis = spec.config.axis || {};
    if (spec.config.axis.labelLimit === undefined) spec.config.axis.labelLimit = cap;
    wrapBandLabels(spec, cap);
    return spec;
  }
  // The names of a horizontal bar chart's bars (a nominal y axis) on a phone: wrapped on lines
  // of the axis' width rather than cut, each bar as tall as its name needs.
  function wrapBandLabels(spec, cap) {
    var y = spec.encoding && spec.encoding.y;
    if (!y || y.axis === null || (y.type !== "nominal" && y.type !== "ordinal") || !y.field) return;
    var lineChars = Math.max(10, Math.floor((cap - 8) / 6.6));
    var rows = (spec.datasets && spec.datasets.rows) || [];
    var names = {};
    var lines = 1;
    rows.forEach(function (row) {
      var name = String(row[y.field]);
      names[name] = true;
      lines = Math.max(lines, Math.ceil(name.length / lineChars) + (name.length > lineChars ? 1 : 0));
    });
    y.axis = Object.assign({}, y.axis, { labelLimit: cap, labelExpr: wrapExpr(lineChars) });
    var count = Object.keys(names).length;
    var perBand = lines * 13 + 8;
    if (typeof spec.height === "number" && count * perBand > spec.height) spec.height = count * perBand;
  }
  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    var options = json("embed-options") || { actions: false, renderer: "svg" };
    options.ast = true; // vega-embed's expression interpreter: the CSP forbids eval
    document.querySelectorAll("[data-spec]").forEach(function (el) {
      window.vegaEmbed(el, forWidth(json(el.getAttribute("data-spec")), el.clientWidth), options).then(function () {
        el.setAttribute("data-drawn", "1");
      }).catch(function (err) {
        el.textContent = String(err);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
