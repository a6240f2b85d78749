/* On a phone a table marked `stack` shows each row as a card (hbmm.css); each cell is named by
   its column's header, copied here into data-label (a cell that has one keeps it). Without
   script the cards show the values alone. */
(function () {
  "use strict";
  document.querySelectorAll("table.stack").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) labels.push(th.textContent.trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (cell.tagName === "TD" && cell.colSpan === 1 && !cell.hasAttribute("data-label") && labels[col]) {
            cell.setAttribute("data-label", labels[col]);
          }
          col += cell.colSpan || 1;
        });
      });
    });
  });
})();

/* A long select (the countries visited, a point of entry) gets a search box above it: typing
   "guin" keeps the matching names (and a multiple select's chosen ones) in view; a single
   select moves to the first match. Without script the
   select is the browser's own (typing a name's first letters jumps to it). */
(function () {
  "use strict";
  var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); };
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.className = "select-filter";
    select.parentNode.insertBefore(box, select);
    var matches = function (option, wanted) {
      return fold(option.text).indexOf(wanted) >= 0 || fold(option.value).indexOf(wanted) >= 0;
    };
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        // A multiple select keeps its chosen options in view; a single one moves to a match.
        option.hidden = !!wanted && !(select.multiple && option.selected) && !matches(option, wanted);
      });
      if (!select.multiple && wanted && !matches(select.options[select.selectedIndex] || {text: "", value: ""}, wanted)) {
        var first = Array.prototype.find.call(select.options, function (o) { return !o.hidden; });
        if (first) { first.selected = true; select.dispatchEvent(new Event("change")); }
      }
    });
  });
})();
