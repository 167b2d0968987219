"""The audit log: record access to personal data, verify the hash chain, prune old entries."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models.audit import GENESIS_HASH, AuditChain, AuditEntry

MINIMUM_RETENTION_DAYS = 180

Action = AuditEntry.Action


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address, honouring the trusted proxy count used for rate limits too."""
    if request is None:
        return None
    from allauth.core.internal.httpkit import get_client_ip

    try:
        return get_client_ip(request)
    except Exception:  # a malformed forwarding header must not stop the audit record
        return None


def object_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _roles_label(user) -> str:
    from .access import roles_of

    return ",".join(sorted(roles_of(user)))


def record(
    request: HttpRequest | None,
    action: str,
    obj: models.Model | None = None,
    *,
    user=None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain (inside the caller's transaction, if any)."""
    actor = user if user is not None else getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type, object_id = object_label(obj)
    with transaction.atomic():
        head = AuditChain.objects.select_for_update().get_or_create(pk=1)[0]
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now().astimezone(datetime.UTC),
            actor_id=actor.pk if actor else None,
            actor_username=actor.get_username() if actor else "",
            role=_roles_label(actor) if actor else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            ip=client_ip(request),
            reason=reason[:255],
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        AuditChain.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


def record_many(
    request: HttpRequest, action: str, objects: Iterable[models.Model], **kwargs
) -> None:
    """One entry naming every object shown, e.g. for a list page or an export."""
    objects = list(objects)
    if not objects:
        return
    object_type = objects[0]._meta.label_lower
    detail = {**kwargs.pop("detail", {}), "ids": [o.pk for o in objects]}
    record(request, action, object_type=object_type, detail=detail, **kwargs)


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain and report the first entry that does not verify."""
    head = AuditChain.objects.get_or_create(pk=1)[0]
    expected_prev = head.anchor_hash
    expected_seq = head.anchor_seq + 1
    checked = 0
    last_seen = head.anchor_seq
    queryset = AuditEntry.objects.order_by("seq")
    while True:
        batch = list(queryset.filter(seq__gte=expected_seq)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return ChainReport(checked, expected_seq, "missing entry")
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, entry.seq, "link to previous entry broken")
            if entry.compute_hash() != entry.hash:
                return ChainReport(checked, entry.seq, "entry content altered")
            expected_prev = entry.hash
            expected_seq += 1
            last_seen = entry.seq
            checked += 1
    if last_seen != head.last_seq or (head.last_seq and expected_prev != head.last_hash):
        return ChainReport(checked, last_seen + 1, "entries missing at the end")
    return ChainReport(checked, None)


def retention_days() -> int:
    return max(settings.AUDIT_RETENTION_DAYS, MINIMUM_RETENTION_DAYS)


def prune(now: datetime.datetime | None = None) -> int:
    """Remove entries older than the retention period, keeping the chain verifiable."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    with transaction.atomic():
        head = AuditChain.objects.select_for_update().get_or_create(pk=1)[0]
        last_old = AuditEntry.objects.filter(at__lt=cutoff).order_by("-seq").first()
        if last_old is None:
            return 0
        # Entries are appended in time order, so everything up to this seq is older.
        doomed = models.QuerySet(AuditEntry).filter(seq__lte=last_old.seq)
        count = doomed._raw_delete(doomed.db)
        AuditChain.objects.filter(pk=1).update(anchor_seq=last_old.seq, anchor_hash=last_old.hash)
        head.refresh_from_db()
    return count


__all__ = ["GENESIS_HASH", "Action", "ChainReport", "prune", "record", "verify_chain"]
