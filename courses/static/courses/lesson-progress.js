/* Lesson progress: records the stretches of the video actually played on this page and reports
 * them to the server every few seconds and when the page is left. Each report carries everything
 * played on this page so far (merged), so a lost report is simply covered by the next one; the
 * server counts only seconds it has not counted before, and only as fast as real playback allows.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-lesson-progress]");
  var figure = document.querySelector("[data-player]");
  if (!box || !figure) return;

  var MAX_RANGES = 64;
  var token = box.dataset.token;
  var url = box.dataset.url;
  var csrf = box.dataset.csrf;
  var interval = (parseFloat(box.dataset.interval) || 10) * 1000;
  var statusEl = box.querySelector("[data-status]");
  var percentEl = box.querySelector("[data-percent]");
  var bar = box.querySelector("progress");
  var doneEl = box.querySelector("[data-complete]");
  var duration = parseFloat(box.dataset.duration) || 0;

  var watched = [];     // merged [start, end] pairs played on this page
  var seq = 0;
  var sentState = "";   // what the last accepted report said, to skip idle reports
  var sendingState = "";  // what the report on its way says (a pause and the end come together)
  var completed = !doneEl.hidden;

  function say(text) { statusEl.textContent = text || ""; }

  function addRange(start, end) {
    if (end - start < 0.05) return;
    watched.push([start, end]);
    watched.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    watched.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    watched = merged;
  }

  function attach(player) {
    var video = player.video;
    var maxRate = parseFloat(figure.dataset.maxRate) || 2;
    var lastTime = null;
    var lastWall = 0;

    video.addEventListener("timeupdate", function () {
      var now = performance.now();
      var t = video.currentTime;
      if (!video.paused && !video.seeking && lastTime !== null && t >= lastTime) {
        // Continuous playback only: a jump further than the clock allows is a seek.
        var allowed = ((now - lastWall) / 1000) * maxRate + 0.5;
        if (t - lastTime <= allowed) addRange(lastTime, t);
      }
      lastTime = t;
      lastWall = now;
    });
    video.addEventListener("seeking", function () { lastTime = null; });
    video.addEventListener("play", function () { lastTime = video.currentTime; lastWall = performance.now(); });

    function payload() {
      var ranges = watched.slice(-MAX_RANGES).map(function (r) {
        return [Math.round(r[0] * 1000) / 1000, Math.min(Math.round(r[1] * 1000) / 1000, duration)];
      });
      return { token: token, ranges: ranges, position: Math.round(video.currentTime * 1000) / 1000 };
    }

    function show(data) {
      var percent = duration ? Math.min(100, Math.floor((100 * data.covered_seconds) / duration)) : 0;
      percentEl.textContent = percent;
      bar.value = percent;
      if (data.completed && !completed) {
        completed = true;
        doneEl.hidden = false;
        say(box.dataset.msgComplete);
      }
    }

    function report(leaving) {
      // A page that played nothing has nothing to say; reporting anyway (say, as it is left
      // for a reload after the quiz) would claim the lesson and shut out the page that follows.
      if (!watched.length) return;
      var body = payload();
      var state = JSON.stringify([body.ranges, body.position]);
      if (state === sentState || (state === sendingState && !leaving)) return;
      sendingState = state;
      seq += 1;
      body.seq = seq;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!leaving,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      }).then(function (response) {
        if (sendingState === state) sendingState = "";
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (data) {
        // Overtaken by a later report, which carried all of this one: nothing was lost.
        if (data.status === "rejected" && data.reason === "replayed") return;
        if (data.status === "rejected") {
          if (data.reason === "other_device") {
            say(box.dataset.msgOtherDevice);
          } else {
            watched = [];  // start afresh from here rather than resend what was refused
            say(box.dataset.msgRejected);
          }
          return;
        }
        sentState = state;
        show(data);
        if (!completed) say(box.dataset.msgSaved);
      }).catch(function () {
        if (sendingState === state) sendingState = "";
        if (!leaving) say(box.dataset.msgOffline);
      });
    }

    setInterval(function () { if (!video.paused) report(false); }, interval);
    video.addEventListener("pause", function () { report(false); });
    video.addEventListener("ended", function () { report(false); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") report(true);
    });
    window.addEventListener("pagehide", function () { report(true); });
  }

  if (figure.player) attach(figure.player);
  else figure.addEventListener("player:ready", function (event) { attach(event.detail); });
})();
