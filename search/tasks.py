"""Index updates run by the worker, after the change that caused them has committed."""

from django_tasks import task

from . import sync


@task()
def update_index(keys: list[str]) -> bool:
    return sync.update(keys)
