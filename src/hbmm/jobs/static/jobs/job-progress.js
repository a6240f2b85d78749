// Polls a queued or running job; when it has finished, reloads the page, which then shows
// its outcome (and the button to download the file it produced, if any).
(function () {
  var box = document.getElementById("job");
  if (!box || ["succeeded", "failed"].indexOf(box.dataset.status) >= 0) return;
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        document.getElementById("job-status").textContent = p.status_label;
        document.getElementById("job-progress").textContent = p.progress;
        var bar = document.getElementById("job-bar");
        if (p.percent !== null) bar.value = p.percent; else bar.removeAttribute("value");
        if (p.status === "succeeded" || p.status === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 500);
})();
