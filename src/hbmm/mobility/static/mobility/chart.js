// Renders the daily flow chart (a Vega-Lite spec in #flow-chart-spec) with vega-embed when the
// vendored scripts are on the page; otherwise the table under the chart holds the same data.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("flow-chart");
  var source = document.getElementById("flow-chart-spec");
  if (!holder || !source || typeof window.vegaEmbed !== "function") return;
  var spec = JSON.parse(source.textContent);
  window.vegaEmbed(holder, spec, { actions: false, renderer: "svg" }).then(function () {
    holder.hidden = false;
  });
});
