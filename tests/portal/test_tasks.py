"""The task queue's upkeep: a task cut off midway goes back in the queue, a limited number of
times, and one left running by a killed worker is found by housekeeping."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal import housekeeping, tasks
from search.tasks import update_index

pytestmark = pytest.mark.django_db


def queued(status=TaskResultStatus.RUNNING, started_minutes_ago=1, runs=1) -> DBTaskResult:
    result = update_index.enqueue(["courses.coursepage:1"])
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        finished_at=timezone.now() if status == TaskResultStatus.FAILED else None,
        worker_ids=[f"worker-{n}" for n in range(runs)],
        exception_class_path="django.db.utils.OperationalError" if status == "FAILED" else "",
        traceback="connection lost" if status == TaskResultStatus.FAILED else "",
    )
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.parametrize("status", [TaskResultStatus.RUNNING, TaskResultStatus.FAILED])
def test_a_cut_off_task_is_queued_again_as_new(status):
    task = queued(status)
    assert tasks.requeue(task.pk)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert task.started_at is None and task.finished_at is None
    assert task.exception_class_path == "" and task.traceback == ""
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()  # a worker will take it


def test_a_finished_or_waiting_task_is_left_alone():
    done = queued(TaskResultStatus.SUCCESSFUL)
    waiting = DBTaskResult.objects.get(pk=update_index.enqueue(["x:1"]).id)
    assert not tasks.requeue(done.pk) and not tasks.requeue(waiting.pk)
    assert DBTaskResult.objects.get(pk=done.pk).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=waiting.pk).status == TaskResultStatus.READY


def test_a_task_cut_off_too_often_is_left_failed(settings):
    settings.TASKS_MAX_ATTEMPTS = 3
    assert tasks.requeue(queued(runs=2).pk)
    worn_out = queued(runs=3)
    assert not tasks.requeue(worn_out.pk)
    worn_out.refresh_from_db()
    assert worn_out.status == TaskResultStatus.FAILED
    assert worn_out.finished_at is not None and "3" in worn_out.traceback


def test_housekeeping_requeues_tasks_running_for_too_long(settings):
    settings.TASKS_ABANDONED_SECONDS = 30 * 60
    abandoned = queued(started_minutes_ago=31)
    busy = queued(started_minutes_ago=29)
    old_failure = queued(TaskResultStatus.FAILED, started_minutes_ago=60)
    assert housekeeping._jobs["portal.requeue_abandoned_tasks"] is tasks.requeue_abandoned
    assert tasks.requeue_abandoned() == 1
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[abandoned.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == TaskResultStatus.RUNNING
    assert statuses[old_failure.pk] == TaskResultStatus.FAILED  # a real failure stays one
