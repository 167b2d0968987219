/* Keep the processing status of videos on an admin page up to date while any is in progress. */
(function () {
  "use strict";
  var ACTIVE = { uploaded: true, processing: true };

  function poll() {
    var items = Array.prototype.filter.call(
      document.querySelectorAll("[data-video-status]"),
      function (el) { return ACTIVE[el.dataset.videoStatus]; }
    );
    if (!items.length) return;
    var ids = items.map(function (el) { return el.dataset.pk; }).join(",");
    fetch(items[0].dataset.statusUrl + "?ids=" + ids, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (states) {
        items.forEach(function (el) {
          var state = states[el.dataset.pk];
          if (!state) return;
          var wasActive = ACTIVE[el.dataset.videoStatus];
          el.dataset.videoStatus = state.status;
          el.querySelector("[data-label]").textContent = state.label;
          el.querySelector("[data-failure]").textContent = state.failure;
          var bar = el.querySelector("progress");
          var percent = el.querySelector("[data-percent]");
          bar.value = state.progress;
          percent.textContent = state.progress + "%";
          bar.hidden = percent.hidden = state.status !== "processing";
          // A finished video on its edit page: reload to show the result and its actions.
          if (wasActive && !ACTIVE[state.status] && el.closest("[data-video-panel]")) {
            window.location.reload();
          }
        });
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 2000); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", poll);
  else poll();
})();
