// Renders the daily flow chart (a Vega-Lite spec in #flow-chart-spec) with vega-embed when the
// vendored scripts are on the page; otherwise the table under the chart holds the same data.
(function () {
  var FRENCH = {
    formatLocale: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0€"] },
    timeFormatLocale: {
      dateTime: "%A %e %B %Y à %X", date: "%d/%m/%Y", time: "%H:%M:%S", periods: ["AM", "PM"],
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                    "oct.", "nov.", "déc."]
    }
  };
  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("flow-chart");
    var source = document.getElementById("flow-chart-spec");
    if (!holder || !source || typeof window.vegaEmbed !== "function") return;
    // ast: vega-embed's expression interpreter (the CSP forbids eval).
    var options = { actions: false, renderer: "svg", ast: true };
    if ((document.documentElement.lang || "").indexOf("fr") === 0) {
      options.formatLocale = FRENCH.formatLocale;
      options.timeFormatLocale = FRENCH.timeFormatLocale;
    }
    window.vegaEmbed(holder, JSON.parse(source.textContent), options).then(function () {
      holder.hidden = false;
      var table = document.getElementById("flow-chart-table");
      if (table) table.open = false;
    });
  });
})();
