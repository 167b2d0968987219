"""Coverage reports from the player: signed watch tokens and the plausibility rules (rule 4.6).

A lesson page hands the player a watch token naming the viewer, the lesson, the video length,
the page view (device) and when the page was served. The player then reports every few seconds
the stretches it actually played since its last acknowledged report, with a rising sequence
number. The server merges them into unique seconds, but only what could have been watched in
the wall time since the previous accepted report at the permitted playback rate.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from .coverage import Interval, covered, extend

TOKEN_SALT = "courses.watch"  # noqa: S105  (a signing namespace, not a secret)
TOKEN_MAX_AGE = datetime.timedelta(hours=12)
# Rounding and timer jitter between the player's clock and the server's.
SLACK_SECONDS = 3.0
# The player reports every COURSES_REPORT_SECONDS while playing; one report never claims more
# wall time than this many intervals, however long the page was open before it.
MAX_REPORT_SPAN_FACTOR = 2
MAX_RANGES = 64


class Rejected(Exception):
    """An implausible or unusable report; `code` names the rule it broke."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class WatchToken:
    user_id: int
    supervisee_id: int
    lesson_id: int
    duration: float
    device: str
    issued_at: datetime.datetime

    def sign(self) -> str:
        issued_ms = int(self.issued_at.timestamp() * 1000)
        value = (
            f"{self.user_id},{self.supervisee_id},{self.lesson_id},"
            f"{self.duration:.3f},{self.device},{issued_ms}"
        )
        return signing.Signer(salt=TOKEN_SALT).sign(value)


def issue_token(user, supervisee, lesson, now: datetime.datetime) -> WatchToken:
    """A token for one page view of `lesson` (a new device every time the page is served)."""
    return WatchToken(
        user_id=user.pk,
        supervisee_id=supervisee.pk,
        lesson_id=lesson.pk,
        duration=float(lesson.video.duration or 0),
        device=secrets.token_hex(8),
        issued_at=now,
    )


def read_token(token: str, now: datetime.datetime) -> WatchToken:
    try:
        value = signing.Signer(salt=TOKEN_SALT).unsign(token)
        user_id, supervisee_id, lesson_id, duration, device, issued_ms = value.split(",")
        issued_at = datetime.datetime.fromtimestamp(int(issued_ms) / 1000, tz=datetime.UTC)
        claims = WatchToken(
            int(user_id), int(supervisee_id), int(lesson_id), float(duration), device, issued_at
        )
    except (signing.BadSignature, ValueError) as exc:
        raise Rejected("bad_token") from exc
    if now - issued_at > TOKEN_MAX_AGE or issued_at - now > datetime.timedelta(minutes=1):
        raise Rejected("expired_token")
    return claims


@dataclass(frozen=True)
class Report:
    seq: int
    ranges: list[Interval]
    position: float


def apply_report(
    progress, token: WatchToken, report: Report, now: datetime.datetime, max_rate: float
) -> bool:
    """Apply `report` to `progress` in memory. False for a duplicate; raises Rejected."""
    duration = token.duration
    limit = duration + 1.0
    if len(report.ranges) > MAX_RANGES:
        raise Rejected("too_many_ranges")
    for start, end in report.ranges:
        if not (0 <= start <= end <= limit):
            raise Rejected("out_of_range")
    if not 0 <= report.position <= limit:
        raise Rejected("out_of_range")

    same_device = progress.device == token.device
    if same_device:
        if report.seq == progress.last_seq:
            return False  # the same report again (a retry): already counted
        if report.seq < progress.last_seq:
            raise Rejected("replayed")
        since = progress.last_report_at
    elif progress.device:
        # A page served after the current one (a reload, or the phone after the PC) takes over
        # at once, even if the old page's last report arrived after it was served; an older one
        # only when the current one has gone quiet. Either way the wall time counted starts
        # after the last accepted report, never overlapping.
        current_served = progress.device_served_at or progress.last_report_at
        quiet_for = (now - progress.last_report_at).total_seconds()
        if (
            token.issued_at <= current_served
            and quiet_for < settings.COURSES_DEVICE_TAKEOVER_SECONDS
        ):
            raise Rejected("other_device")
        since = max(token.issued_at, progress.last_report_at)
    else:
        since = token.issued_at

    ranges = [(min(s, duration), min(e, duration)) for s, e in report.ranges]
    merged, gained = extend([tuple(i) for i in progress.intervals], ranges)
    elapsed = max(0.0, (now - since).total_seconds())
    span = min(elapsed, settings.COURSES_REPORT_SECONDS * MAX_REPORT_SPAN_FACTOR)
    if gained > span * max_rate + SLACK_SECONDS:
        raise Rejected("too_fast")

    progress.intervals = [[round(s, 3), round(e, 3)] for s, e in merged]
    progress.covered_seconds = round(covered(merged), 3)
    progress.position = min(report.position, duration)
    progress.device = token.device
    progress.device_served_at = token.issued_at
    progress.last_seq = report.seq
    progress.last_report_at = now
    return True
