"""A task for the fault tests: it waits for a flag file, so a test can cut the database while
the task is under way, and then writes a group named after its argument."""

import time
from pathlib import Path

from django.contrib.auth.models import Group
from django_tasks import task


@task()
def write_when_flagged(flag: str, name: str) -> str:
    while not Path(flag).exists():
        time.sleep(0.05)
    Group.objects.get_or_create(name=name)
    return name
