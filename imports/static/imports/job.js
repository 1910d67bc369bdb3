// Poll an import job's progress and reload the page with its summary when it finishes.
(function () {
  "use strict";
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  if (!bar || bar.dataset.finished === "1") return;
  function poll() {
    fetch(bar.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        if (data.finished) { window.location.reload(); return; }
        status.textContent = status.textContent.replace(/\d+%$/, data.percent + "%");
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
