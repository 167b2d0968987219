"""Attendance from presence leases: the union of a person's lease intervals inside the class
window, across reconnects and devices; the sweep that closes leases whose socket went away
without a goodbye; and the credit to the study-hour ledger when the class ends."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from courses import ledger

from . import payloads
from .models import (
    Attendance,
    AttentionAnswer,
    AttentionCheck,
    ChatMessage,
    Lease,
    LiveClass,
    PollAnswer,
)

Interval = tuple[datetime.datetime, datetime.datetime]


def covered_seconds(intervals: Iterable[Interval], start, end) -> int:
    """Seconds of [start, end] covered by at least one interval."""
    clipped = sorted(
        (max(a, start), min(b, end)) for a, b in intervals if min(b, end) > max(a, start)
    )
    total, reach = 0.0, None
    for a, b in clipped:
        if reach is None or a > reach:
            total += (b - a).total_seconds()
            reach = b
        elif b > reach:
            total += (b - reach).total_seconds()
            reach = b
    return int(total)


def lease_interval(lease: Lease) -> Interval:
    """A lease counts up to its close, or else its last recorded renewal: never beyond what
    the server saw."""
    return lease.opened_at, lease.closed_at or lease.renewed_at


def recompute(live_class: LiveClass) -> list[Attendance]:
    """Write every supervisee's attendance of the class from the leases so far."""
    by_person: dict[int, list[Lease]] = defaultdict(list)
    for lease in live_class.leases.filter(supervisee__isnull=False).order_by("opened_at"):
        by_person[lease.supervisee_id].append(lease)
    messages = _count_by_person(
        ChatMessage.objects.filter(live_class=live_class), "user__supervisee"
    )
    polls = _count_by_person(
        PollAnswer.objects.filter(poll__live_class=live_class), "user__supervisee"
    )
    answered = _count_by_person(
        AttentionAnswer.objects.filter(attention_check__live_class=live_class), "supervisee"
    )
    checks = list(live_class.attention_checks.values_list("asked_at", flat=True))
    found = []
    for supervisee_id, leases in by_person.items():
        intervals = [lease_interval(lease) for lease in leases]
        # A check counts for those present when it was asked.
        asked = sum(1 for moment in checks if any(a <= moment <= b for a, b in intervals))
        attendance, _ = Attendance.objects.update_or_create(
            live_class=live_class,
            supervisee_id=supervisee_id,
            defaults={
                "seconds": covered_seconds(intervals, live_class.starts_at, live_class.ends_at),
                "first_joined": min(a for a, _ in intervals),
                "last_left": max(b for _, b in intervals),
                "messages": messages.get(supervisee_id, 0),
                "poll_answers": polls.get(supervisee_id, 0),
                "attention_asked": asked,
                "attention_answered": answered.get(supervisee_id, 0),
            },
        )
        found.append(attendance)
    return found


def _count_by_person(queryset, person: str) -> dict[int, int]:
    return dict(
        queryset.filter(**{f"{person}__isnull": False})
        .values_list(person)
        .annotate(n=Count("pk"))
        .order_by()
    )


def start_attention_check(live_class: LiveClass, now=None) -> AttentionCheck:
    now = now or timezone.now()
    return AttentionCheck.objects.create(
        live_class=live_class,
        asked_at=now,
        closes_at=now + datetime.timedelta(seconds=live_class.attention_answer_seconds),
    )


def send_attention_checks(now: datetime.datetime | None = None) -> int:
    """Ask every class on air whose policy is due: one check each `attention_every_minutes`."""
    now = now or timezone.now()
    sent = 0
    for live_class in LiveClass.objects.filter(
        starts_at__lte=now, ends_at__gt=now, attention_every_minutes__gt=0
    ).exclude(status=LiveClass.Status.ENDED):
        last = live_class.attention_checks.order_by("-asked_at").first()
        every = datetime.timedelta(minutes=live_class.attention_every_minutes)
        if (last.asked_at if last else live_class.starts_at) + every > now:
            continue
        check = start_attention_check(live_class, now)
        frame = payloads.attention(check.pk, live_class.attention_answer_seconds)
        broadcast(live_class, frame)
        sent += 1
    return sent


def broadcast(live_class: LiveClass, frame: str) -> None:
    """A frame to every socket of the class, from outside a consumer, after commit."""
    layer = get_channel_layer()
    transaction.on_commit(
        lambda: async_to_sync(layer.group_send)(
            live_class.group, {"type": "live.frame", "text": frame}
        )
    )


def sweep_stale_leases(now: datetime.datetime | None = None) -> int:
    """Close leases not renewed for LIVE_LEASE_STALE_SECONDS, at their last renewal."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.LIVE_LEASE_STALE_SECONDS)
    return Lease.objects.filter(closed_at__isnull=True, renewed_at__lt=stale).update(
        closed_at=F("renewed_at")
    )


def end_class(live_class: LiveClass) -> list[Attendance]:
    """End the class: close its leases at their last renewal, write the attendance, and
    credit each supervisee's whole minutes to the ledger (once: the key is the attendance)."""
    with transaction.atomic():
        locked = LiveClass.objects.select_for_update().get(pk=live_class.pk)
        if locked.status != LiveClass.Status.ENDED:
            locked.status, locked.ended_at = LiveClass.Status.ENDED, timezone.now()
            locked.save(update_fields=["status", "ended_at"])
        # The broadcast sockets close themselves (class.end); the make-up lesson is made by
        # housekeeping once their encoders have stored every segment (replay.make_replays).
        locked.runs.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        locked.leases.filter(closed_at__isnull=True).update(closed_at=F("renewed_at"))
        attendances = recompute(locked)
        day = timezone.localdate(locked.starts_at)
        for attendance in attendances:
            if attendance.minutes and attendance.credit_id is None:
                attendance.credit = ledger.credit(
                    attendance.supervisee,
                    source="live",
                    minutes=attendance.minutes,
                    day=day,
                    key=f"live:{locked.pk}:{attendance.supervisee_id}",
                    record=attendance,
                    note=locked.title,
                )
                attendance.save(update_fields=["credit"])
    return attendances
