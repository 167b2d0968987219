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

  // One session per press of a start button: events of an earlier session's socket or
  // recorder never touch a later one.
  var current = null;

  function stop(message) {
    var session = current;
    current = null;
    busy(false);
    if (message) say(message);
    if (!session) return;
    preview.srcObject = null;
    session.stream.getTracks().forEach(function (t) { t.stop(); });
    if (session.recorder && session.recorder.state !== "inactive") {
      session.recorder.stop();  // its last chunk is sent, then the socket closes (onstop)
    } else if (session.socket.readyState <= WebSocket.OPEN) {
      session.socket.close(1000);
    }
  }

  function start(kind) {
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      say(panel.dataset.msgUnsupported);
      return;
    }
    busy(true);
    capture(kind).then(function (stream) {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var session = {
        stream: stream,
        recorder: null,
        socket: new WebSocket(scheme + location.host + panel.dataset.socket),
      };
      current = session;
      preview.srcObject = stream;
      preview.play().catch(function () {});
      session.socket.binaryType = "arraybuffer";
      session.socket.onopen = function () {
        try {
          session.recorder = new MediaRecorder(stream, {
            mimeType: mimeType(), videoBitsPerSecond: 1000000,
          });
        } catch (error) {
          stop(panel.dataset.msgUnsupported);
          return;
        }
        session.recorder.ondataavailable = function (event) {
          if (session.socket.readyState !== WebSocket.OPEN || !event.data.size) return;
          if (session.socket.bufferedAmount > MAX_BUFFERED) say(panel.dataset.msgSlow);
          session.socket.send(event.data);
        };
        session.recorder.onstop = function () { session.socket.close(1000); };
        session.recorder.start(CHUNK_MS);
        say(panel.dataset.msgLive);
      };
      session.socket.onclose = function (event) {
        if (current !== session) return;  // an earlier session ending
        stop(event.code === 1000 ? panel.dataset.msgStopped : panel.dataset.msgLost);
      };
      stream.getVideoTracks()[0].addEventListener("ended", function () {
        if (current === session) stop(panel.dataset.msgStopped);  // the browser's "stop sharing"
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
