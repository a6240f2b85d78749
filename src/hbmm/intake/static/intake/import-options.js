// The upload form shows the options and the columns of the chosen kind of file only (without
// script: every kind's options, each under its kind's name, only the chosen kind's being read;
// and the columns of each kind folded, the chosen one open).
(function () {
  "use strict";
  var select = document.getElementById("id_kind");
  var sets = document.querySelectorAll("fieldset.import-options, details.import-columns");
  if (!select || !sets.length) return;
  function show() {
    sets.forEach(function (set) {
      set.hidden = set.dataset.kind !== select.value;
      if (set.tagName === "DETAILS" && !set.hidden) set.open = true;
    });
  }
  select.addEventListener("change", show);
  show();
})();
