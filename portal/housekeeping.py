"""Periodic upkeep the worker runs beside the task queue: stalled jobs, stale leases, and so on.

Apps register a function in their AppConfig.ready(); `manage.py worker` runs them every
PORTAL_HOUSEKEEPING_INTERVAL seconds, and `manage.py housekeeping` runs them on demand (or in a
loop, for deployments whose task backend brings its own worker).
"""

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

logger = logging.getLogger(__name__)
_jobs: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    _jobs[name] = job


def run_once() -> dict[str, object]:
    results = {}
    for name, job in _jobs.items():
        close_old_connections()
        try:
            results[name] = job()
        except Exception:
            logger.exception("housekeeping job %s failed", name)
            results[name] = "error"
    close_old_connections()
    return results


def run_forever(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        run_once()
        stop.wait(interval)
