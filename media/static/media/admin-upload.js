/* Upload a video form in the background so the editor sees progress. The file streams to the
 * server (which spools it to disk, never to memory); on success the browser goes to the video's
 * edit page, where processing progress is shown; on a form error the form is shown again. */
(function () {
  "use strict";

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  function feedback(input) {
    var box = input.parentNode.querySelector(".video-upload-progress");
    if (!box) {
      box = document.createElement("div");
      box.className = "video-upload-progress";
      box.innerHTML = '<progress max="100" value="0"></progress> <span role="status" aria-live="polite"></span>';
      input.parentNode.appendChild(box);
    }
    return { bar: box.querySelector("progress"), text: box.querySelector("span") };
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var input = form.querySelector("input[type=file][data-video-upload]");
    var submitter = event.submitter;
    if (!input || !input.files.length || (submitter && submitter.hasAttribute("formaction"))) return;
    event.preventDefault();
    var file = input.files[0];
    var ui = feedback(input);
    if (file.size === 0 || file.size > Number(input.dataset.maxBytes)) {
      ui.text.textContent = file.size === 0 ? input.dataset.msgEmpty : input.dataset.msgTooLarge;
      input.focus();
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Video-Upload", "1");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.floor((e.loaded / e.total) * 100);
      ui.bar.value = percent;
      ui.text.textContent = input.dataset.msgUploading + " " + percent + "% (" +
        megabytes(e.loaded) + " / " + megabytes(e.total) + ")";
    });
    xhr.addEventListener("load", function () {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (xhr.status === 200 && type.indexOf("application/json") === 0) {
        window.location.assign(JSON.parse(xhr.responseText).location);
        return;
      }
      if (xhr.status === 200) {
        // The form came back with errors: show it, with the editor's other entries kept.
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = page.querySelector("#main");
        if (main) {
          document.querySelector("#main").innerHTML = main.innerHTML;
          return;
        }
      }
      ui.text.textContent = input.dataset.msgFailed + " (" + xhr.status + ")";
    });
    xhr.addEventListener("error", function () { ui.text.textContent = input.dataset.msgFailed; });
    xhr.send(new FormData(form, submitter || undefined));
  }, true);
})();
