"""Bringing the index up to date with the database, and trying again when the engine failed."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from .backends import get_backend
from .models import PendingUpdate
from .registry import documents_for_key

logger = logging.getLogger(__name__)

MAX_BACKOFF = datetime.timedelta(minutes=10)
RETRY_BATCH = 200


def apply(keys: list[str]) -> None:
    """Index or remove each document; raises when the engine does not take them."""
    documents, gone = [], []
    for key in dict.fromkeys(keys):
        document = documents_for_key(key)
        if document is None:
            gone.append(key)
        else:
            documents.append(document)
    backend = get_backend()
    if documents:
        backend.upsert(documents)
    if gone:
        backend.delete(gone)


def update(keys: list[str]) -> bool:
    """Apply `keys`; when that fails, queue them for a retry. True when they are in the index."""
    try:
        apply(keys)
    except Exception as error:
        logger.warning("search update of %d document(s) failed: %s", len(keys), error)
        remember_failure(keys, error)
        return False
    PendingUpdate.objects.filter(key__in=keys).delete()
    return True


def remember_failure(keys: list[str], error: Exception) -> None:
    now = timezone.now()
    with transaction.atomic():
        for key in keys:
            pending, _ = PendingUpdate.objects.select_for_update().get_or_create(
                key=key, defaults={"next_attempt_at": now}
            )
            pending.attempts += 1
            pending.last_error = str(error)[:1000]
            backoff = min(
                MAX_BACKOFF, datetime.timedelta(seconds=15 * 2 ** min(pending.attempts, 10))
            )
            pending.next_attempt_at = now + backoff
            pending.save()


def retry_pending() -> int:
    """Housekeeping: try the due updates again. Returns how many went in."""
    due = list(
        PendingUpdate.objects.filter(next_attempt_at__lte=timezone.now()).values_list(
            "key", flat=True
        )[:RETRY_BATCH]
    )
    if not due:
        return 0
    return len(due) if update(due) else 0
