// The presenter's broadcast: the camera and microphone (or the screen and the microphone) are
// recorded by MediaRecorder in half-second WebM chunks and sent as binary frames over the
// broadcast socket; the server encodes them to HLS for the audience.
(function () {
  "use strict";
  var panel = document.querySelector("[data-broadcast]");
  if (!panel) return;
  var preview = panel.querySelector("[data-broadcast-preview]");
  var status = panel.querySelector("[data-broadcast-status]");
  var stopButton = panel.querySelector("[data-broadcast-stop]");
  var startButtons = panel.querySelectorAll("[data-broadcast-start]");
  var CHUNK_MS = 500;
  var MAX_BUFFERED = 4 * 1024 * 1024;
  var stream = null, recorder = null, socket = null;

  function say(text) { status.textContent = text; }
  function busy(on) {
    startButtons.forEach(function (b) { b.disabled = on; });
    stopButton.disabled = !on;
  }

  function mimeType() {
    var types = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    }
    return "";
  }

  function capture(kind) {
    var media = navigator.mediaDevices;
    if (kind === "camera") {
      return media.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
    }
    var screen = media.getDisplayMedia({ video: true });
    return Promise.all([screen, media.getUserMedia({ audio: true })]).then(function (both) {
      return new MediaStream(both[0].getVideoTracks().concat(both[1].getAudioTracks()));
    });
  }

  function stop(message) {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
    recorder = stream = socket = null;
    preview.srcObject = null;
    busy(false);
    if (message) say(message);
  }

  function start(kind) {
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      say(panel.dataset.msgUnsupported);
      return;
    }
    busy(true);
    capture(kind).then(function (captured) {
      stream = captured;
      preview.srcObject = stream;
      preview.play().catch(function () {});
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + location.host + panel.dataset.socket);
      socket.binaryType = "arraybuffer";
      socket.onopen = function () {
        recorder = new MediaRecorder(stream, { mimeType: mimeType(), videoBitsPerSecond: 1000000 });
        recorder.ondataavailable = function (event) {
          if (!socket || socket.readyState !== WebSocket.OPEN || !event.data.size) return;
          if (socket.bufferedAmount > MAX_BUFFERED) say(panel.dataset.msgSlow);
          socket.send(event.data);
        };
        recorder.start(CHUNK_MS);
        say(panel.dataset.msgLive);
      };
      socket.onclose = function (event) {
        var wanted = event.code === 1000;
        stop(wanted ? panel.dataset.msgStopped : panel.dataset.msgLost);
      };
      stream.getVideoTracks()[0].addEventListener("ended", function () {
        stop(panel.dataset.msgStopped);  // the browser's own "stop sharing" button
      });
    }).catch(function () {
      busy(false);
      say(panel.dataset.msgDenied);
    });
  }

  startButtons.forEach(function (b) {
    b.addEventListener("click", function () { start(b.dataset.broadcastStart); });
  });
  stopButton.addEventListener("click", function () { stop(panel.dataset.msgStopped); });
  window.addEventListener("pagehide", function () { stop(""); });
})();
