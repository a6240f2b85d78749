// The upload form shows the options of the chosen kind of file only (without script: all of
// them, each under its kind's name; only the chosen kind's are read).
(function () {
  "use strict";
  var select = document.getElementById("id_kind");
  var sets = document.querySelectorAll("fieldset.import-options");
  if (!select || !sets.length) return;
  function show() {
    sets.forEach(function (set) { set.hidden = set.dataset.kind !== select.value; });
  }
  select.addEventListener("change", show);
  show();
})();
