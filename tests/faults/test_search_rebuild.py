"""A search rebuild (`manage.py search_rebuild`) killed halfway, as when its machine restarts:
every document stays findable, under its old or its new text, an edit made while no worker runs
goes in when one starts, and running the rebuild again finishes the job. Runs on both stages
(SQLite and PostgreSQL)."""

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

import search
from resources.models import Base, Opening
from search.backends import get_backend
from tests.conftest import database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 1200  # three batches of the database backend's 500


def rebuild_killed_after_first_batch() -> None:
    """Start the rebuild in a process of its own and kill it when it reports its first batch."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "search_rebuild", "--index", "directory"],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": database_url()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stderr:
            progress = re.search(r"(\d+)/(\d+)", line)
            if progress and 0 < int(progress[1]) < int(progress[2]):
                process.send_signal(signal.SIGKILL)
                break
        else:
            raise AssertionError("the rebuild ended before it could be killed")
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL


def found(word: str, viewer) -> int:
    return search.directory(word, viewer).total


def test_a_rebuild_killed_halfway_keeps_everything_found_and_a_rerun_finishes(
    world, worker_process
):
    base = Base.objects.create(
        operator=world.operator_org,
        name="市中区阳光就业基地",
        kind="employment",
        region=world.zhongxin,
        address="枣庄市市中区光明路1号",
        latitude=34.86,
        longitude=117.56,
    )
    Opening.objects.bulk_create(
        Opening(
            base=base,
            kind=Opening.Kind.JOB,
            status=Opening.Status.OPEN,
            title=f"岗位{number}",
            description="旧版说明",
            slots_total=1,
            slots_available=1,
        )
        for number in range(COUNT)
    )
    call_command("search_rebuild", index=["directory"], stdout=io.StringIO())
    viewer = world.caseworker
    assert (found("旧版", viewer), found("新版", viewer)) == (COUNT, 0)

    Opening.objects.update(description="新版说明")  # what the next rebuild is to carry in
    rebuild_killed_after_first_batch()

    # Halfway: some documents new, the rest old, none lost and none doubled.
    new, old = found("新版", viewer), found("旧版", viewer)
    assert new > 0 and old > 0
    assert new + old == COUNT
    assert get_backend().count("directory") == COUNT + 1  # the openings and their base

    # An opening edited meanwhile, while no worker runs (as during a worker restart): its
    # index update waits in the task queue and goes in when a worker starts.
    renamed = Opening.objects.order_by("pk").last()
    renamed.title = "重建中断后改名的岗位"
    renamed.save()
    assert found("重建中断后改名", viewer) == 0
    worker_process()
    wait_for(lambda: found("重建中断后改名", viewer) == 1, timeout=60, what="the queued update")

    call_command("search_rebuild", index=["directory"], stdout=io.StringIO())
    assert (found("旧版", viewer), found("新版", viewer)) == (0, COUNT)
    assert found("重建中断后改名", viewer) == 1
    assert get_backend().count("directory") == COUNT + 1
