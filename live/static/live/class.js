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
  var handlers = {
    "live.welcome": function (frame) {
      say(room.dataset.msgConnected);
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
    "live.ended": function () { closedForGood = true; }
  };
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
  if (slowForm) {
    slowForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "chat.slow_mode", seconds: Number(slowForm.elements.seconds.value) });
    });
  }
  window.addEventListener("pagehide", function () { closedForGood = true; if (socket) socket.close(); });
  connect();
})();
