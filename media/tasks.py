"""Background tasks of the video pipeline (Django's task API; the worker runs them)."""

from django_tasks import task

from . import processing


@task(queue_name="media")
def process_video(video_id: int) -> str:
    return processing.process(video_id)
