// Polls the import's progress (its background job's, while one is queued or running), then
// reloads the page for the row report.
(function () {
  var box = document.getElementById("progress");
  if (!box || ["done", "failed", "interrupted", "succeeded"].indexOf(box.dataset.status) >= 0) return;
  var fmt = new Intl.NumberFormat(document.documentElement.lang || "fr");
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && value !== null && value !== undefined) el.textContent = fmt.format(value);
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        document.getElementById("status").textContent = p.status_label;
        ["rows_read", "rows_total", "rows_accepted", "rows_quarantined", "rows_duplicate"].forEach(function (k) { set(k, p[k]); });
        if (p.percent !== null) document.getElementById("bar").value = p.percent;
        var jobEnded = p.job && (p.job.status === "succeeded" || p.job.status === "failed");
        if (p.status === "done" || p.status === "failed" || p.interrupted || jobEnded) { window.location.reload(); return; }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 800);
})();
