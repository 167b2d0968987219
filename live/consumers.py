"""The live-class socket. Thin: it authenticates at connect, checks the frame size and rate,
re-checks permission on every action, and leaves the rules to access, leases and actions.

Close codes: 4401 not signed in or signed out, 4404 not in this class (or no such class),
4409 frame too large, 4429 too many frames, 4410 the class has ended.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.faults import UNAVAILABLE

from . import actions, broadcast, payloads
from .access import manages, participant, staff_sees
from .fanout import hub
from .leases import close_lease, open_lease, renewals
from .models import LiveClass

logger = logging.getLogger(__name__)


class TokenBucket:
    """LIVE_RATE_BURST frames at once, refilled at LIVE_RATE_PER_SECOND."""

    def __init__(self) -> None:
        self.tokens = float(settings.LIVE_RATE_BURST)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(
            settings.LIVE_RATE_BURST,
            self.tokens + (now - self.stamp) * settings.LIVE_RATE_PER_SECOND,
        )
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@database_sync_to_async
def admit(user, key: str):
    """(class, supervisee or None, moderator?, what to play) for someone who may join; None
    otherwise."""
    live_class = LiveClass.objects.select_related("organiser__region").filter(key=key).first()
    if live_class is None:
        return None
    supervisee = participant(user, live_class)
    moderator = manages(user, live_class)
    if supervisee is None and not moderator and not staff_sees(user, live_class):
        return None  # overseeing staff may follow the class without moderating it
    return live_class, supervisee, moderator, broadcast.current_playlist(live_class)


class ClassConsumer(AsyncWebsocketConsumer):
    # No channel of its own: every frame reaches the socket through its process's hub
    # (fanout.py), so thousands of sockets cost the channel layer nothing.
    channel_layer_alias = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.lease_id = None
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        admitted = await admit(user, self.scope["url_route"]["kwargs"]["key"])
        if admitted is None:
            await self.close(code=4404)
            return
        self.live_class, self.supervisee, self.moderator, playlist = admitted
        if self.live_class.status == LiveClass.Status.ENDED:
            await self.close(code=4410)
            return
        self.user = user
        self.bucket = TokenBucket()
        self.name = payloads.display_name(user, self.supervisee, self.moderator)
        await hub().join(self.live_class.group, self, user.pk)
        await self.accept()
        if self.supervisee is not None:
            self.lease_id = await open_lease(self.live_class, user, self.supervisee)
            self.last_seen = timezone.now()
        await self.send(
            text_data=payloads.welcome(self.live_class, self.name, self.moderator, playlist)
        )

    async def disconnect(self, code) -> None:
        if getattr(self, "live_class", None) is None:
            return
        await hub().leave(self.live_class.group, self, self.user.pk)
        if self.lease_id is not None:
            renewals.forget(self.lease_id)
            await close_lease(self.lease_id, self.last_seen)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.LIVE_MESSAGE_BYTES:
            await self.close(code=4409)
            return
        if not self.bucket.take():
            await self.close(code=4429)  # a flooding client is cut off; the others go on
            return
        try:
            frame = json.loads(text_data or "")
            kind = frame["type"]
        except (ValueError, TypeError, KeyError):
            await self.send(text_data=payloads.error("bad_frame", _("Unreadable message.")))
            return
        handler = self.HANDLERS.get(kind)
        if handler is None:
            await self.send(text_data=payloads.error("unknown", _("Unknown message type.")))
            return
        try:
            await handler(self, frame)
        except UNAVAILABLE as error:
            # The database or Redis is briefly away: the sender is told and keeps the socket
            # (and the presence lease, which the batch writer keeps in memory meanwhile).
            logger.warning("live %s unavailable for %s: %s", kind, self.live_class.key, error)
            message = _(
                "The service is briefly unavailable, so this may not have reached the class. "
                "Please try again in a minute."
            )
            await self.send(text_data=payloads.error("unavailable", message))

    async def on_ping(self, frame: dict) -> None:
        if self.lease_id is not None:
            self.last_seen = timezone.now()
            renewals.renew(self.lease_id, self.last_seen)

    async def on_chat(self, frame: dict) -> None:
        outcome = await actions.send_chat(
            self.user, self.live_class.pk, self.name, str(frame.get("text", ""))
        )
        await self._relay(outcome)

    async def on_hide(self, frame: dict) -> None:
        await self._relay(
            await actions.hide_message(self.user, self.live_class.pk, frame.get("id"))
        )

    async def on_mute(self, frame: dict) -> None:
        await self._relay(await actions.mute(self.user, self.live_class.pk, frame.get("id")))

    async def on_slow_mode(self, frame: dict) -> None:
        await self._relay(
            await actions.slow_mode(self.user, self.live_class.pk, frame.get("seconds"))
        )

    async def on_poll(self, frame: dict) -> None:
        await self._relay(
            await actions.create_poll(
                self.user, self.live_class.pk, frame.get("question"), frame.get("choices")
            )
        )

    async def on_poll_answer(self, frame: dict) -> None:
        await self._relay(
            await actions.answer_poll(
                self.user, self.live_class.pk, frame.get("id"), frame.get("choice")
            )
        )

    async def on_poll_close(self, frame: dict) -> None:
        await self._relay(await actions.close_poll(self.user, self.live_class.pk, frame.get("id")))

    async def on_ask(self, frame: dict) -> None:
        await self._relay(
            await actions.ask(self.user, self.live_class.pk, self.name, frame.get("text"))
        )

    async def on_vote(self, frame: dict) -> None:
        await self._relay(await actions.vote(self.user, self.live_class.pk, frame.get("id")))

    async def on_answered(self, frame: dict) -> None:
        await self._relay(
            await actions.mark_answered(self.user, self.live_class.pk, frame.get("id"))
        )

    async def on_hand(self, frame: dict) -> None:
        await self._relay(
            await actions.raise_hand(self.user, self.live_class.pk, self.name, frame.get("up"))
        )

    async def on_reaction(self, frame: dict) -> None:
        await self._relay(await actions.react(self.user, self.live_class.pk, frame.get("emoji")))

    async def on_attention(self, frame: dict) -> None:
        await self._relay(await actions.ask_attention(self.user, self.live_class.pk))

    async def on_attention_answer(self, frame: dict) -> None:
        await self._relay(
            await actions.answer_attention(self.user, self.live_class.pk, frame.get("id"))
        )

    async def _relay(self, outcome: actions.Outcome) -> None:
        """A refusal or a reply goes back to the sender; a frame to the whole class."""
        if outcome.refused:
            await self.send(text_data=payloads.error(outcome.code, outcome.message))
        if outcome.reply:
            await self.send(text_data=outcome.reply)
        elif outcome.frame:
            message = {"type": "live.frame", "text": outcome.frame}
            if outcome.coalesce:
                message["coalesce"] = outcome.coalesce
            await get_channel_layer().group_send(self.live_class.group, message)
        if outcome.close_code:
            await self.close(code=outcome.close_code)

    HANDLERS = {
        "live.ping": on_ping,
        "chat.send": on_chat,
        "chat.hide": on_hide,
        "chat.mute": on_mute,
        "chat.slow_mode": on_slow_mode,
        "poll.create": on_poll,
        "poll.answer": on_poll_answer,
        "poll.close": on_poll_close,
        "question.ask": on_ask,
        "question.vote": on_vote,
        "question.answered": on_answered,
        "hand": on_hand,
        "reaction": on_reaction,
        "attention.start": on_attention,
        "attention.answer": on_attention_answer,
    }

    # Channel-layer events.
    async def live_frame(self, event: dict) -> None:
        await self.send(text_data=event["text"])

    async def session_end(self, event: dict) -> None:
        await self.close(code=4401)

    async def class_end(self, event: dict) -> None:
        await self.send(text_data=payloads.ended())
        await self.close(code=4410)


class ByteBucket:
    """At most LIVE_MEDIA_BYTES_PER_SECOND on average, with a few seconds' burst."""

    def __init__(self) -> None:
        self.rate = settings.LIVE_MEDIA_BYTES_PER_SECOND
        self.bytes = 4.0 * self.rate
        self.stamp = time.monotonic()

    def take(self, size: int) -> bool:
        now = time.monotonic()
        self.bytes = min(4.0 * self.rate, self.bytes + (now - self.stamp) * self.rate)
        self.stamp = now
        if size > self.bytes:
            return False
        self.bytes -= size
        return True


class BroadcastConsumer(AsyncWebsocketConsumer):
    """The presenter's media socket: binary WebM chunks from MediaRecorder, nothing else.

    ffmpeg starts with the first chunk. A watchdog re-checks the presenter every
    RECHECK_SECONDS and closes a socket that fell silent. Close codes as for the class socket,
    and 4408 silent for LIVE_BROADCAST_IDLE_SECONDS, 4412 a newer broadcast of the class took
    over (or the presenter may no longer present), 4422 ffmpeg cannot read what arrives, 4429
    too many bytes, or this process already runs LIVE_ENCODERS_PER_PROCESS encoders.
    """

    channel_layer_alias = None
    RECHECK_SECONDS = 5

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.run = self.encoder = self.watchdog = None
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if len(broadcast.running) >= settings.LIVE_ENCODERS_PER_PROCESS:
            await self.close(code=4429)
            return
        opened = await broadcast.open_run(user, self.scope["url_route"]["kwargs"]["key"])
        if opened is None:
            await self.close(code=4404)
            return
        self.user = user
        self.live_class, self.run = opened
        self.bucket = ByteBucket()
        self.heard = time.monotonic()
        # In the class's room for the end of the class and sign-outs; class frames are ignored.
        await hub().join(self.live_class.group, self, user.pk)
        await self.accept()
        self.watchdog = asyncio.create_task(self._watch())

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if bytes_data is None:
            return  # the socket carries media only; the class socket carries the rest
        if len(bytes_data) > settings.LIVE_MEDIA_CHUNK_BYTES:
            await self.close(code=4409)
            return
        if not self.bucket.take(len(bytes_data)):
            await self.close(code=4429)
            return
        self.heard = time.monotonic()
        if self.encoder is None:
            if len(broadcast.running) >= settings.LIVE_ENCODERS_PER_PROCESS:
                await self.close(code=4429)
                return
            playlist = broadcast.playlist_url(self.live_class, self.run)
            self.encoder = broadcast.Encoder(self.run, on_air=lambda: self._tell_audience(playlist))
            await self.encoder.start()
        if not await self.encoder.feed(bytes_data):
            await self.send(
                text_data=payloads.error("media", _("The video from your browser cannot be read."))
            )
            await self.close(code=4422)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.RECHECK_SECONDS)
            if time.monotonic() - self.heard > settings.LIVE_BROADCAST_IDLE_SECONDS:
                await self.close(code=4408)
                return
            if not await broadcast.still_presenting(self.user, self.run):
                await self.close(code=4412)
                return

    async def disconnect(self, code) -> None:
        if self.run is None:
            return
        if self.watchdog is not None:
            self.watchdog.cancel()
        await hub().leave(self.live_class.group, self, self.user.pk)
        # Shielded: the server gives a closed socket's handler only a few seconds, and the
        # encoder must be released and the run closed even if it runs out.
        await asyncio.shield(self._finish())

    async def _finish(self) -> None:
        try:
            if self.encoder is not None:
                await self.encoder.stop()
        finally:
            if await broadcast.close_run(self.run):  # not when a newer run took over
                await self._tell_audience(self.live_class.hls_source_url)

    async def _tell_audience(self, playlist: str) -> None:
        await get_channel_layer().group_send(
            self.live_class.group, {"type": "live.frame", "text": payloads.broadcast(playlist)}
        )

    async def live_frame(self, event: dict) -> None:
        """Class frames are for the audience's sockets, not for the media socket."""

    async def session_end(self, event: dict) -> None:
        await self.close(code=4401)

    async def class_end(self, event: dict) -> None:
        await self.close(code=4410)
