"""Upkeep of the task queue itself: a task cut off by a database outage, or left running by a
worker that was killed, goes back in the queue.

Running a task again is always right here, because every task of the platform is safe to run
twice: an index update writes the same documents again, and a transcode claims its video with a
token (a second run of a job still alive elsewhere is skipped). A task that keeps being cut off
stops after TASKS_MAX_ATTEMPTS runs and is left failed for an administrator to see.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def requeue(task_id: str) -> bool:
    """Put a running or failed task back in the queue; False when it has run too often (it is
    then left failed) or is no longer running or failed."""
    with transaction.atomic():
        task = (
            DBTaskResult.objects.select_for_update()
            .filter(pk=task_id, status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED])
            .only("pk", "status", "worker_ids", "task_path")
            .first()
        )
        if task is None:
            return False
        again = DBTaskResult.objects.filter(pk=task.pk)
        if len(task.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
            logger.error(
                "task %s (%s) cut off %d times; left failed",
                task.pk,
                task.task_path,
                len(task.worker_ids),
            )
            again.filter(status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                traceback=f"Cut off {len(task.worker_ids)} times.",
            )
            return False
        again.update(
            status=TaskResultStatus.READY,
            started_at=None,
            finished_at=None,
            return_value=None,
            exception_class_path="",
            traceback="",
        )
    logger.warning("task %s (%s) was cut off and is queued again", task.pk, task.task_path)
    return True


def requeue_abandoned() -> int:
    """Housekeeping: tasks still marked running TASKS_ABANDONED_SECONDS after they started,
    whose worker was killed or lost its database for good."""
    before = timezone.now() - timedelta(seconds=settings.TASKS_ABANDONED_SECONDS)
    stuck = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=before)
    return sum(requeue(pk) for pk in stuck.values_list("pk", flat=True))
