"""The project's ASGI application under daphne in a process of its own, on the test database,
for the tests that need a real server: browser journeys and a server restart mid-class."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.conftest import database_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int | None = None, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start daphne and wait until it answers; (process, base URL)."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "portal.asgi:application",
        ],
        cwd=Path(settings.BASE_DIR),
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            **(env or {}),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=2)  # noqa: S310
            return process, url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.2)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()  # a clean stop closes its database connections
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
