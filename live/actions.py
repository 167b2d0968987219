"""What participants and moderators do in a class, each step re-checked against the current
state of the user and the class (DESIGN: permission re-checked on every action)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from . import payloads
from .access import manages, participant
from .models import ChatMessage, LiveClass

MAX_CHAT = 300
MAX_SLOW_MODE = 300


@dataclass(frozen=True)
class Outcome:
    frame: str = ""  # for the whole class
    refused: bool = False
    code: str = ""
    message: str = ""
    close_code: int | None = None  # close the sender's socket too


def _refuse(code: str, message: str, close_code: int | None = None) -> Outcome:
    return Outcome(refused=True, code=code, message=message, close_code=close_code)


def _current(user, class_id: int):
    """(class, supervisee, moderator) as things stand now, or an Outcome refusing."""
    user = get_user_model().objects.filter(pk=user.pk, is_active=True).first()
    if user is None:
        return _refuse("signed_out", _("Your account is no longer active."), 4401)
    live_class = LiveClass.objects.select_related("organiser__region").get(pk=class_id)
    if live_class.status == LiveClass.Status.ENDED:
        return _refuse("ended", _("The class has ended."), 4410)
    supervisee, moderator = participant(user, live_class), manages(user, live_class)
    if supervisee is None and not moderator:
        return _refuse("not_admitted", _("You are no longer in this class."), 4404)
    return live_class, supervisee, moderator


@database_sync_to_async
def send_chat(user, class_id: int, name: str, text: str) -> Outcome:
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    live_class, _supervisee, moderator = state
    text = text.strip()
    if not text or len(text) > MAX_CHAT:
        return _refuse("length", _("A message has 1 to %(n)d characters.") % {"n": MAX_CHAT})
    if not moderator:
        if user.pk in live_class.muted:
            return _refuse("muted", _("The presenter has muted you in this class."))
        wait = live_class.slow_mode_seconds
        last = (
            ChatMessage.objects.filter(live_class=live_class, user=user)
            .order_by("-pk")
            .values_list("sent_at", flat=True)
            .first()
        )
        if wait and last and timezone.now() - last < datetime.timedelta(seconds=wait):
            return _refuse(
                "slow_mode", _("Slow mode: one message every %(n)d seconds.") % {"n": wait}
            )
    message = ChatMessage.objects.create(live_class=live_class, user=user, text=text)
    return Outcome(frame=payloads.chat(message.pk, name, text, message.sent_at))


def _moderated(user, class_id: int):
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    if not state[2]:
        return _refuse("not_moderator", _("Only the presenters and staff moderate the chat."))
    return state[0]


@database_sync_to_async
def hide_message(user, class_id: int, message_id) -> Outcome:
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    if not ChatMessage.objects.filter(live_class=live_class, pk=_number(message_id)).update(
        hidden_by=user
    ):
        return _refuse("no_message", _("No such message."))
    return Outcome(frame=payloads.hidden(_number(message_id)))


@database_sync_to_async
def mute(user, class_id: int, message_id) -> Outcome:
    """Mute the author of a message: frames carry message ids, never user ids."""
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    author = (
        ChatMessage.objects.filter(live_class=live_class, pk=_number(message_id))
        .values_list("user", flat=True)
        .first()
    )
    if author is None:
        return _refuse("no_message", _("No such message."))
    if author not in live_class.muted:
        live_class.muted = [*live_class.muted, author]
        live_class.save(update_fields=["muted"])
    return Outcome()


@database_sync_to_async
def slow_mode(user, class_id: int, seconds) -> Outcome:
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    value = _number(seconds)
    if not 0 <= value <= MAX_SLOW_MODE:
        return _refuse("range", _("Slow mode is 0 to %(n)d seconds.") % {"n": MAX_SLOW_MODE})
    live_class.slow_mode_seconds = value
    live_class.save(update_fields=["slow_mode_seconds"])
    return Outcome(frame=payloads.slow_mode(value))


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
