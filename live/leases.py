"""Opening, renewing and closing presence leases. Renewals are gathered per process and
written every LIVE_FLUSH_SECONDS in one statement, instead of one write per ping."""

from __future__ import annotations

import asyncio
import datetime

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from .models import Lease, LiveClass


@database_sync_to_async
def open_lease(live_class: LiveClass, user, supervisee) -> int:
    now = timezone.now()
    return Lease.objects.create(
        live_class=live_class, user=user, supervisee=supervisee, opened_at=now, renewed_at=now
    ).pk


@database_sync_to_async
def close_lease(lease_id: int, last_seen: datetime.datetime) -> None:
    """A goodbye: the lease ends when the socket was last heard from."""
    Lease.objects.filter(pk=lease_id, closed_at__isnull=True).update(
        renewed_at=last_seen, closed_at=last_seen
    )


class Renewals:
    """The pings heard since the last write, by lease."""

    def __init__(self) -> None:
        self.heard: dict[int, datetime.datetime] = {}
        self.task: asyncio.Task | None = None

    def renew(self, lease_id: int, at: datetime.datetime) -> None:
        self.heard[lease_id] = at
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, lease_id: int) -> None:
        self.heard.pop(lease_id, None)

    async def _run(self) -> None:
        while self.heard:
            await asyncio.sleep(settings.LIVE_FLUSH_SECONDS)
            await self.flush()

    async def flush(self) -> int:
        """Write the batch: one UPDATE with the earliest ping time heard, so no lease is
        credited beyond a ping that was heard, and none is moved back."""
        if not self.heard:
            return 0
        batch, self.heard = self.heard, {}
        return await _write(list(batch), min(batch.values()))


@database_sync_to_async
def _write(ids: list[int], at: datetime.datetime) -> int:
    return Lease.objects.filter(pk__in=ids, closed_at__isnull=True, renewed_at__lt=at).update(
        renewed_at=at
    )


renewals = Renewals()
