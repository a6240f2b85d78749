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

/* A long multiple select (the countries visited: every country) gets a search box above it:
   typing "guin" keeps the matching names and the chosen ones in view. Without script the
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
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !!wanted && !option.selected &&
          fold(option.text).indexOf(wanted) < 0 && fold(option.value).indexOf(wanted) < 0;
      });
    });
  });
})();
