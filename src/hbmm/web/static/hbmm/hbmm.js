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
