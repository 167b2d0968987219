/* The check-in screen: fetches a fresh QR code every rotation and shows how many have checked in. */
(function () {
  "use strict";
  var main = document.querySelector("[data-projector]");
  if (!main) return;
  var codeEl = main.querySelector("[data-code]");
  var countEl = main.querySelector("[data-count]");
  var statusEl = main.querySelector("[data-status]");
  var rotate = (parseFloat(main.dataset.rotate) || 30) * 1000;
  var timer = null;

  function refresh() {
    fetch(main.dataset.codeUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        countEl.textContent = data.count;
        if (data.closed) {
          codeEl.replaceChildren();
          statusEl.textContent = main.dataset.msgClosed;
          clearInterval(timer);
          return;
        }
        var svg = new DOMParser().parseFromString(data.svg, "image/svg+xml").documentElement;
        svg.setAttribute("width", "100%");
        svg.setAttribute("height", "100%");
        codeEl.replaceChildren(document.importNode(svg, true));
        codeEl.dataset.url = data.url;
        statusEl.textContent = "";
      })
      .catch(function () { statusEl.textContent = main.dataset.msgOffline; });
  }
  refresh();
  timer = setInterval(refresh, rotate);
})();
