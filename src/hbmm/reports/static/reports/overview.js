/* The situation overview: a new date submits the filters. The maps are drawn by the server
   (hbmm.presentation.map_svg), the charts by charts.js. */
(function () {
  "use strict";
  var date = document.getElementById("as-of");
  if (date) {
    date.addEventListener("change", function () {
      if (date.value) { document.getElementById("overview-filters").submit(); }
    });
  }
})();
