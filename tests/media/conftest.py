"""Generated sample files, video factories and a real worker process for the media tests."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File
from django.db import connection

from media import samples
from media.models import Video

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """Sample inputs, made once per run: good videos, and every kind of bad one."""
    folder = tmp_path_factory.mktemp("samples")
    made = {
        "small": samples.generate(folder / "small.mp4", seconds=3, width=640, height=360),
        "hd": samples.generate(folder / "hd.mp4", seconds=3, width=1280, height=720),
        "silent": samples.generate(folder / "silent.mp4", seconds=2, audio=False),
        "audio": samples.generate_audio(folder / "audio.m4a"),
    }
    made["not_video"] = folder / "notes.mp4"
    made["not_video"].write_text("这不是视频文件。\n" * 100)
    made["empty"] = folder / "empty.mp4"
    made["empty"].write_bytes(b"")
    whole = made["small"].read_bytes()
    made["truncated"] = folder / "truncated.mp4"
    made["truncated"].write_bytes(whole[: len(whole) // 2])
    return made


def make_video(path: Path, title: str = "测试视频", **fields) -> Video:
    video = Video(title=title, original_name=path.name, **fields)
    with path.open("rb") as handle:
        video.original.save(path.name, File(handle), save=False)
    video.original_size = video.original.size
    video.save()
    return video


def database_url() -> str:
    """The URL of the test database, for a worker in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT")
    return f"postgres://{user}@{host}:{port or 5432}/{db['NAME']}"


@pytest.fixture
def worker_process(transactional_db):
    """Start `manage.py worker` processes on the test database; all are stopped afterwards."""
    started: list[subprocess.Popen] = []

    def start(**env) -> subprocess.Popen:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_STALE_SECONDS": "3",
            "PORTAL_HOUSEKEEPING_INTERVAL": "1",
            **env,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=environment,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def wait_for(predicate, timeout: float = 90, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
