"""An iCalendar (RFC 5545) feed of a person's live classes, read by calendar apps through a
signed, personal URL."""

from __future__ import annotations

import datetime

from django.core import signing
from django.utils import timezone

SALT = "live.calendar"


def feed_token(user) -> str:
    return signing.dumps(user.pk, salt=SALT)


def user_of_token(token: str) -> int | None:
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


def _text(value: str) -> str:
    """Escape TEXT values (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(classes, link_for, host: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//jiaozheng//live classes//ZH",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:直播课堂",
    ]
    now = _stamp(timezone.now())
    for live_class in classes:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{live_class.key}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(live_class.starts_at)}",
            f"DTEND:{_stamp(live_class.ends_at)}",
            f"SUMMARY:{_text(live_class.title)}",
            f"URL:{link_for(live_class)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
