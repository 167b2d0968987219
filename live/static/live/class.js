// The live-class room: one socket, a ping every few seconds that keeps the presence lease,
// the chat, and for moderators hide, mute and slow mode. Reconnects with a growing delay.
(function () {
  "use strict";
  var room = document.querySelector("[data-live-room]");
  if (!room) return;
  var status = room.querySelector("[data-status]");
  var list = room.querySelector("[data-chat]");
  var form = room.querySelector("[data-chat-form]");
  var slowForm = room.querySelector("[data-slow-form]");
  var moderator = room.dataset.moderator === "1";
  var socket = null, pinger = null, delay = 1000, closedForGood = false;

  function say(text) { status.textContent = text; }
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }
  function button(label, frame) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "secondary small"; b.textContent = label;
    b.addEventListener("click", function () { send(frame); });
    return b;
  }
  function showMessage(frame) {
    var item = document.createElement("li");
    item.dataset.id = frame.id;
    var who = document.createElement("strong");
    who.textContent = frame.name + "：";
    item.appendChild(who);
    item.appendChild(document.createTextNode(frame.text));
    if (moderator) {
      item.appendChild(button(room.dataset.msgHide, { type: "chat.hide", id: frame.id }));
      item.appendChild(button(room.dataset.msgMute, { type: "chat.mute", id: frame.id }));
    }
    list.appendChild(item);
    while (list.children.length > 200) list.removeChild(list.firstChild);
  }
  // The player shows the broadcast, the studio source, or that nothing is on air.
  function play(playlist) {
    var figure = document.querySelector("[data-live-player]");
    if (!figure || (figure.dataset.hls || "") === (playlist || "")) return;
    figure.querySelector("[data-live-off]").hidden = !!playlist;
    if (figure.player) figure.player.load(playlist);
    else figure.dataset.hls = playlist;
  }
  var handlers = {
    "live.welcome": function (frame) {
      say(room.dataset.msgConnected);
      play(frame.playlist);  // a broadcast may have started or stopped while away
      delay = 1000;
      clearInterval(pinger);
      pinger = setInterval(function () { send({ type: "live.ping" }); }, frame.ping_seconds * 1000);
    },
    "chat.message": showMessage,
    "chat.hidden": function (frame) {
      var item = list.querySelector('[data-id="' + frame.id + '"]');
      if (item) item.remove();
    },
    "chat.slow_mode": function () {},
    "live.error": function (frame) { say(frame.message); },
    "live.ended": function () {
      closedForGood = true;
      play("");
    },
    "live.broadcast": function (frame) { play(frame.playlist); },
    "poll.open": showPoll,
    "poll.results": function (frame) {
      if (!poll || poll.id !== frame.id) return;
      poll.counts = frame.counts; poll.closed = frame.closed; drawPoll();
    },
    "question.new": showQuestion,
    "question.votes": function (frame) {
      var votes = questions.querySelector('[data-id="' + frame.id + '"] [data-votes]');
      if (votes) votes.textContent = frame.votes;
    },
    "question.answered": function (frame) {
      var item = questions.querySelector('[data-id="' + frame.id + '"]');
      if (item) item.classList.add("answered");
    },
    "hand": function (frame) {
      if (frame.up) hands.textContent = frame.name + " " + room.dataset.msgHandUp;
    },
    "reaction": function (frame) {
      var badge = document.createElement("span");
      badge.className = "reaction-burst"; badge.textContent = frame.emoji;
      hands.appendChild(badge);
      setTimeout(function () { badge.remove(); }, 3000);
    },
    "attention.check": function (frame) {
      attentionId = frame.id;
      var left = frame.seconds;
      attention.hidden = false;
      clearInterval(attentionTimer);
      attentionTimer = setInterval(function () {
        left -= 1;
        attention.querySelector("[data-attention-left]").textContent = left + " " + room.dataset.msgSeconds;
        if (left <= 0) { clearInterval(attentionTimer); attention.hidden = true; }
      }, 1000);
    },
    "attention.ok": function () {
      clearInterval(attentionTimer); attention.hidden = true; say(room.dataset.msgThanks);
    }
  };

  var questions = room.querySelector("[data-questions]");
  var hands = room.querySelector("[data-hands]");
  var pollBox = room.querySelector("[data-poll]");
  var attention = room.querySelector("[data-attention]");
  var attentionId = null, attentionTimer = null, poll = null;

  function showPoll(frame) {
    poll = { id: frame.id, question: frame.question, choices: frame.choices, counts: frame.counts, closed: false };
    drawPoll();
  }
  function drawPoll() {
    pollBox.hidden = false;
    pollBox.querySelector("[data-poll-question]").textContent = poll.question;
    var list = pollBox.querySelector("[data-poll-choices]");
    list.textContent = "";
    var total = poll.counts.reduce(function (a, b) { return a + b; }, 0) || 1;
    poll.choices.forEach(function (label, index) {
      var item = document.createElement("li");
      var choose = document.createElement("button");
      choose.type = "button"; choose.className = "secondary"; choose.textContent = label;
      choose.disabled = poll.closed;
      choose.addEventListener("click", function () { send({ type: "poll.answer", id: poll.id, choice: index }); });
      var bar = document.createElement("progress");
      bar.max = total; bar.value = poll.counts[index];
      bar.setAttribute("aria-label", label);
      var count = document.createElement("span");
      count.textContent = " " + poll.counts[index];
      item.appendChild(choose); item.appendChild(bar); item.appendChild(count);
      list.appendChild(item);
    });
  }
  function showQuestion(frame) {
    var item = document.createElement("li");
    item.dataset.id = frame.id;
    var who = document.createElement("strong");
    who.textContent = frame.name + "：";
    item.appendChild(who);
    item.appendChild(document.createTextNode(frame.text + " "));
    var votes = document.createElement("span");
    votes.dataset.votes = ""; votes.textContent = frame.votes;
    item.appendChild(votes);
    item.appendChild(button(room.dataset.msgVote, { type: "question.vote", id: frame.id }));
    if (moderator) item.appendChild(button(room.dataset.msgAnswered, { type: "question.answered", id: frame.id }));
    questions.appendChild(item);
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + room.dataset.socket);
    say(room.dataset.msgConnecting);
    socket.addEventListener("message", function (event) {
      var frame = JSON.parse(event.data);
      (handlers[frame.type] || function () {})(frame);
    });
    socket.addEventListener("close", function (event) {
      clearInterval(pinger);
      if (closedForGood || event.code >= 4400) {
        say(room.dataset.msgClosed);
        return;
      }
      say(room.dataset.msgLost);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = form.elements.text.value.trim();
    if (text) send({ type: "chat.send", text: text });
    form.elements.text.value = "";
  });
  var questionForm = room.querySelector("[data-question-form]");
  questionForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = questionForm.elements.text.value.trim();
    if (text) send({ type: "question.ask", text: text });
    questionForm.elements.text.value = "";
  });
  room.querySelectorAll("[data-reaction]").forEach(function (b) {
    b.addEventListener("click", function () { send({ type: "reaction", emoji: b.dataset.reaction }); });
  });
  var hand = room.querySelector("[data-hand]");
  hand.addEventListener("click", function () {
    var up = hand.getAttribute("aria-pressed") !== "true";
    hand.setAttribute("aria-pressed", String(up));
    send({ type: "hand", up: up });
  });
  room.querySelector("[data-attention-answer]").addEventListener("click", function () {
    if (attentionId !== null) send({ type: "attention.answer", id: attentionId });
  });
  var pollForm = room.querySelector("[data-poll-form]");
  if (pollForm) {
    pollForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var choices = pollForm.elements.choices.value.split("\n").map(function (c) { return c.trim(); }).filter(Boolean);
      send({ type: "poll.create", question: pollForm.elements.question.value, choices: choices });
    });
    room.querySelector("[data-poll-close]").addEventListener("click", function () {
      if (poll) send({ type: "poll.close", id: poll.id });
    });
    room.querySelector("[data-attention-start]").addEventListener("click", function () {
      send({ type: "attention.start" });
    });
  }
  if (slowForm) {
    slowForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "chat.slow_mode", seconds: Number(slowForm.elements.seconds.value) });
    });
  }
  window.addEventListener("pagehide", function () { closedForGood = true; if (socket) socket.close(); });
  connect();
})();
