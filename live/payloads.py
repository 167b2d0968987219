"""Every frame the server sends to live-class sockets, defined once. Frames are JSON text
with a `type` prefixed by the app: `live.*` and `chat.*`."""

from __future__ import annotations

import json

from django.conf import settings

from portal.privacy import mask_name


def dumps(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def display_name(user, supervisee, presenter: bool) -> str:
    """What other participants see: a minor's name masked (DESIGN rule 4.2)."""
    if supervisee is not None:
        return mask_name(supervisee.name) if supervisee.is_minor else supervisee.name
    name = user.get_full_name() or user.get_username()
    return f"{name}（主讲）" if presenter else name


def welcome(live_class, name: str, moderator: bool, playlist: str) -> str:
    """The first frame; `playlist` is what to play now, for a page that (re)connects after a
    broadcast started or stopped."""
    return dumps(
        {
            "type": "live.welcome",
            "title": live_class.title,
            "playlist": playlist,
            "you": name,
            "moderator": moderator,
            "ping_seconds": settings.LIVE_PING_SECONDS,
            "slow_mode_seconds": live_class.slow_mode_seconds,
        }
    )


def chat(message_id: int, name: str, text: str, sent_at) -> str:
    return dumps(
        {
            "type": "chat.message",
            "id": message_id,
            "name": name,
            "text": text,
            "at": sent_at.isoformat(),
        }
    )


def hidden(message_id: int) -> str:
    return dumps({"type": "chat.hidden", "id": message_id})


def slow_mode(seconds: int) -> str:
    return dumps({"type": "chat.slow_mode", "seconds": seconds})


def error(code: str, message: str) -> str:
    return dumps({"type": "live.error", "code": code, "message": message})


def ended() -> str:
    return dumps({"type": "live.ended"})


REACTIONS = ("👍", "👏", "❤️", "🙋", "❓")


def poll(poll, counts: list[int]) -> str:
    return dumps(
        {
            "type": "poll.open",
            "id": poll.pk,
            "question": poll.question,
            "choices": poll.choices,
            "counts": counts,
        }
    )


def poll_results(poll_id: int, counts: list[int], closed: bool = False) -> str:
    return dumps({"type": "poll.results", "id": poll_id, "counts": counts, "closed": closed})


def question(question_id: int, name: str, text: str, votes: int) -> str:
    return dumps(
        {"type": "question.new", "id": question_id, "name": name, "text": text, "votes": votes}
    )


def votes(question_id: int, count: int) -> str:
    return dumps({"type": "question.votes", "id": question_id, "votes": count})


def answered(question_id: int) -> str:
    return dumps({"type": "question.answered", "id": question_id})


def hand(name: str, up: bool) -> str:
    return dumps({"type": "hand", "name": name, "up": up})


def reaction(emoji: str) -> str:
    return dumps({"type": "reaction", "emoji": emoji})


def attention(check_id: int, seconds: int) -> str:
    return dumps({"type": "attention.check", "id": check_id, "seconds": seconds})


def attention_ok(check_id: int) -> str:
    return dumps({"type": "attention.ok", "id": check_id})


def broadcast(playlist: str) -> str:
    """The presenter's broadcast started (the playlist to play) or stopped (empty)."""
    return dumps({"type": "live.broadcast", "playlist": playlist})
