"""Background tasks of live classes (Django's task API; the worker runs them)."""

from django_tasks import task

from . import replay


@task(queue_name="media")
def make_replay(live_class_id: int) -> str:
    return replay.make_replay(live_class_id)
