/* The platform's video player: native HLS where the browser has it, hls.js (loaded only when
 * the viewer presses play) where it does not, the MP4 fallback otherwise. Keyboard operable.
 * Lessons can forbid seeking past the furthest point watched; they listen for `player:ready`
 * on the <figure> to report progress. A live figure (data-live) starts at the live edge, keeps
 * retrying while the broadcast is not there yet, and takes a new source with player.load(). */
(function () {
  "use strict";
  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var hlsLoading = null;

  function loadHls(src) {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Hls); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return hlsLoading;
  }

  function setUp(figure) {
    if (figure.dataset.playerReady) return;
    figure.dataset.playerReady = "1";
    var video = figure.querySelector("video");
    var start = figure.querySelector(".player__start");
    var status = figure.querySelector(".player__status");
    var resumeAt = parseFloat(figure.dataset.resumeAt) || 0;
    var furthest = Math.max(parseFloat(figure.dataset.watchedUntil) || 0, resumeAt);
    var noSeekAhead = figure.dataset.noSeekAhead === "1";
    var maxRate = parseFloat(figure.dataset.maxRate) || 2;
    var fallback = video.querySelector("source") ? video.querySelector("source").src : "";
    var live = figure.dataset.live === "1";
    var messages = { noSkip: figure.dataset.msgNoSkip, fallback: figure.dataset.msgFallback };

    function say(text) { status.textContent = text; }

    function useFallback() {
      if (!fallback) return;
      var at = video.currentTime;
      video.src = fallback;
      video.currentTime = at;
      say(messages.fallback);
    }

    video.addEventListener("loadedmetadata", function () {
      if (resumeAt > 0 && resumeAt < (video.duration || Infinity) - 1 && video.currentTime < 1) {
        video.currentTime = resumeAt;
      }
    }, { once: true });

    video.addEventListener("timeupdate", function () {
      // Only continuous playback extends what counts as watched, never a jump.
      if (!video.seeking && video.currentTime <= furthest + 2) {
        furthest = Math.max(furthest, video.currentTime);
      }
    });
    video.addEventListener("seeking", function () {
      if (noSeekAhead && video.currentTime > furthest + 1) {
        video.currentTime = furthest;
        say(messages.noSkip);
      }
    });
    video.addEventListener("ratechange", function () {
      if (video.playbackRate > maxRate) video.playbackRate = maxRate;
    });

    // Live only: a source that fails (not on air yet, a presenter reconnecting) is tried again
    // after 3, 6, 12 … up to 60 seconds; a new source, or none, starts afresh.
    var generation = 0, retryDelay = 3000, retryTimer = null;
    function retryLater(source) {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () {
        if (figure.dataset.hls === source) load(source, true);
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    }

    function attachHls() {
      var mine = ++generation;
      return loadHls(figure.dataset.hlsLib).then(function (Hls) {
        if (!Hls || !Hls.isSupported() || mine !== generation) return;
        if (figure.hls) figure.hls.destroy();
        var source = figure.dataset.hls;
        var hls = new Hls(live ? { liveSyncDurationCount: 2, capLevelToPlayerSize: true }
                               : { startPosition: resumeAt, capLevelToPlayerSize: true });
        hls.on(Hls.Events.ERROR, function (_event, data) {
          if (!data.fatal) return;
          hls.destroy();
          if (figure.hls === hls) figure.hls = null;
          if (!live) useFallback();
          else retryLater(source);
        });
        hls.on(Hls.Events.MANIFEST_PARSED, function () { retryDelay = 3000; });
        hls.loadSource(source);
        hls.attachMedia(video);
        figure.hls = hls;
      }).catch(useFallback);
    }

    var attached = null;
    function playNow() { return video.play().catch(function () {}); }
    function begin() {
      return (attached || Promise.resolve()).then(function () { return video.play(); })
        .catch(function () {});
    }

    // A browser's own HLS where it has one, except for live streams where hls.js can run: it
    // copes better with a sliding playlist and a presenter who reconnects.
    var nativeHls = video.canPlayType(HLS_TYPE) && !(live && window.MediaSource);
    if (nativeHls) {
      if (figure.dataset.hls) video.src = figure.dataset.hls;
      if (live) {
        video.addEventListener("error", function () {
          if (figure.dataset.hls) retryLater(figure.dataset.hls);
        });
        video.addEventListener("loadedmetadata", function () { retryDelay = 3000; });
      }
    } else if (window.MediaSource) {
      // hls.js is fetched only when the viewer asks to play: light pages on slow networks.
      video.controls = false;
      start.hidden = false;
      start.addEventListener("click", function () {
        attached = attached || attachHls().then(function () {
          video.controls = true;
          start.hidden = true;
        });
        begin().then(function () { video.focus(); });
      });
    }

    function seekBy(seconds) {
      var target = Math.max(0, video.currentTime + seconds);
      if (noSeekAhead) target = Math.min(target, furthest);
      video.currentTime = target;
    }

    video.tabIndex = 0;
    // Capture phase: the keys act once, instead of also reaching the browser's own controls.
    figure.addEventListener("keydown", function (event) {
      if (event.target.tagName === "BUTTON" || event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key.toLowerCase();
      var handled = true;
      if (key === " " || key === "k") {
        if (!video.controls && !start.hidden) start.click();
        else if (video.paused) begin();
        else video.pause();
      } else if (key === "arrowleft") {
        seekBy(-5);
      } else if (key === "arrowright") {
        seekBy(5);
      } else if (key === "m") {
        video.muted = !video.muted;
      } else if (key === "c") {
        var tracks = video.textTracks;
        for (var i = 0; i < tracks.length; i++) {
          tracks[i].mode = tracks[i].mode === "showing" ? "hidden" : (i === 0 ? "showing" : "hidden");
        }
      } else if (key === "f") {
        if (document.fullscreenElement) document.exitFullscreen();
        else if (figure.requestFullscreen) figure.requestFullscreen();
      } else {
        handled = false;
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    }, true);

    // A new source for a live figure (empty: off air), or the same one tried again.
    function load(source, retry) {
      if (!retry) retryDelay = 3000;
      clearTimeout(retryTimer);
      figure.dataset.hls = source;
      generation++;
      if (figure.hls) {
        figure.hls.destroy();
        figure.hls = null;
      }
      if (!source) {
        video.removeAttribute("src");
        video.load();
      } else if (nativeHls) {
        video.src = source;
        playNow();
      } else if (attached) {
        attached = attachHls().then(playNow);
      }
    }

    figure.player = {
      video: video,
      furthest: function () { return furthest; },
      play: begin,
      load: load,
    };
    figure.dispatchEvent(new CustomEvent("player:ready", { bubbles: true, detail: figure.player }));
  }

  function setUpAll() {
    document.querySelectorAll("[data-player]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
