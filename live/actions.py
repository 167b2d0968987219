"""What participants and moderators do in a class, each step re-checked against the current
state of the user and the class (DESIGN: permission re-checked on every action)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import attendance, payloads
from .access import manages, participant, staff_sees
from .models import (
    AttentionAnswer,
    AttentionCheck,
    ChatMessage,
    LiveClass,
    Poll,
    PollAnswer,
    Question,
)

MAX_CHAT = 300
MAX_SLOW_MODE = 300


@dataclass(frozen=True)
class Outcome:
    frame: str = ""  # for the whole class
    refused: bool = False
    code: str = ""
    message: str = ""
    close_code: int | None = None  # close the sender's socket too
    reply: str = ""  # for the sender only
    coalesce: str = ""  # frames with the same key within a moment: only the latest is sent


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
    if supervisee is None and not moderator and not staff_sees(user, live_class):
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


@database_sync_to_async
def create_poll(user, class_id: int, question: str, choices) -> Outcome:
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    question = str(question or "").strip()[:200]
    labels = [str(c).strip()[:60] for c in (choices if isinstance(choices, list) else [])]
    labels = [label for label in labels if label]
    if not question or not 2 <= len(labels) <= 6:
        return _refuse("poll", _("A poll has a question and 2 to 6 choices."))
    poll = Poll.objects.create(
        live_class=live_class, question=question, choices=labels, created_by=user
    )
    return Outcome(frame=payloads.poll(poll, [0] * len(labels)))


def _results(poll: Poll) -> list[int]:
    counts = dict(poll.answers.values_list("choice").annotate(n=Count("pk")))
    return [counts.get(index, 0) for index in range(len(poll.choices))]


@database_sync_to_async
def answer_poll(user, class_id: int, poll_id, choice) -> Outcome:
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    poll = Poll.objects.filter(live_class=state[0], pk=_number(poll_id), is_open=True).first()
    if poll is None:
        return _refuse("no_poll", _("This poll is closed."))
    index = _number(choice)
    if not 0 <= index < len(poll.choices):
        return _refuse("choice", _("No such choice."))
    _answer, created = PollAnswer.objects.get_or_create(
        poll=poll, user=user, defaults={"choice": index}
    )
    if not created:
        return _refuse("answered", _("You have already answered this poll."))
    return Outcome(frame=payloads.poll_results(poll.pk, _results(poll)), coalesce=f"poll:{poll.pk}")


@database_sync_to_async
def close_poll(user, class_id: int, poll_id) -> Outcome:
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    poll = Poll.objects.filter(live_class=live_class, pk=_number(poll_id)).first()
    if poll is None:
        return _refuse("no_poll", _("This poll is closed."))
    Poll.objects.filter(pk=poll.pk).update(is_open=False)
    return Outcome(frame=payloads.poll_results(poll.pk, _results(poll), closed=True))


@database_sync_to_async
def ask(user, class_id: int, name: str, text: str) -> Outcome:
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    text = str(text or "").strip()
    if not text or len(text) > MAX_CHAT:
        return _refuse("length", _("A message has 1 to %(n)d characters.") % {"n": MAX_CHAT})
    if user.pk in state[0].muted:
        return _refuse("muted", _("The presenter has muted you in this class."))
    question = Question.objects.create(live_class=state[0], user=user, text=text)
    return Outcome(frame=payloads.question(question.pk, name, text, 0))


@database_sync_to_async
def vote(user, class_id: int, question_id) -> Outcome:
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    question = Question.objects.filter(live_class=state[0], pk=_number(question_id)).first()
    if question is None:
        return _refuse("no_question", _("No such question."))
    if question.user_id == user.pk or question.voters.filter(pk=user.pk).exists():
        return _refuse("voted", _("You cannot vote for this question again."))
    question.voters.add(user)
    return Outcome(frame=payloads.votes(question.pk, question.voters.count()))


@database_sync_to_async
def mark_answered(user, class_id: int, question_id) -> Outcome:
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    if not Question.objects.filter(live_class=live_class, pk=_number(question_id)).update(
        answered=True
    ):
        return _refuse("no_question", _("No such question."))
    return Outcome(frame=payloads.answered(_number(question_id)))


@database_sync_to_async
def raise_hand(user, class_id: int, name: str, up) -> Outcome:
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    return Outcome(frame=payloads.hand(name, bool(up)))


@database_sync_to_async
def react(user, class_id: int, emoji) -> Outcome:
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    if emoji not in payloads.REACTIONS:
        return _refuse("reaction", _("Unknown reaction."))
    return Outcome(frame=payloads.reaction(emoji))


@database_sync_to_async
def ask_attention(user, class_id: int) -> Outcome:
    live_class = _moderated(user, class_id)
    if isinstance(live_class, Outcome):
        return live_class
    check = attendance.start_attention_check(live_class)
    return Outcome(frame=payloads.attention(check.pk, live_class.attention_answer_seconds))


@database_sync_to_async
def answer_attention(user, class_id: int, check_id) -> Outcome:
    """Only the sender hears back: `reply` rather than a class-wide frame."""
    state = _current(user, class_id)
    if isinstance(state, Outcome):
        return state
    supervisee = state[1]
    check = AttentionCheck.objects.filter(live_class=state[0], pk=_number(check_id)).first()
    if supervisee is None or check is None:
        return _refuse("no_check", _("No such attention check."))
    now = timezone.now()
    if now > check.closes_at:
        return _refuse("late", _("The time to answer has passed."))
    AttentionAnswer.objects.get_or_create(
        attention_check=check, supervisee=supervisee, defaults={"answered_at": now}
    )
    return Outcome(reply=payloads.attention_ok(check.pk))
