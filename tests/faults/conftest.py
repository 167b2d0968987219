"""Fault fixtures: PostgreSQL and Redis behind proxies a test can cut, and a server (daphne or
granian) or a worker started through them."""

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.asgi import free_port, stop_server
from tests.conftest import database_url

from .proxy import FaultProxy


def _address(url: str, default_port: int) -> tuple[str, int]:
    location = url.split("://", 1)[1].rpartition("@")[2].split("/", 1)[0]
    host, _, port = location.partition(":")
    return host or "127.0.0.1", int(port or default_port)


@pytest.fixture
def postgres_proxy(transactional_db):
    """PostgreSQL behind a proxy (the test database); skipped on the SQLite stage."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    proxy = FaultProxy(_address(database_url(), 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def redis_proxy():
    """Redis behind a proxy (the run's own Redis database); skipped without REDIS_URL."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    proxy = FaultProxy(_address(settings.REDIS_URL, 6379))
    yield proxy
    proxy.close()


@pytest.fixture
def server_through(tmp_path):
    """Start daphne (or granian) with the given proxies in front of its services; its URL. The
    log is kept in tmp_path (shown if it fails to start); stopped afterwards."""
    started: list[subprocess.Popen] = []

    def start(
        postgres: FaultProxy | None = None,
        redis: FaultProxy | None = None,
        server: str = "daphne",
        **env,
    ):
        if postgres is not None:
            env["DATABASE_URL"] = postgres.url(database_url())
        if redis is not None:
            env["REDIS_URL"] = redis.url(settings.REDIS_URL)
        log = tmp_path / f"{server}-{len(started)}.log"
        process = serve(server, free_port(), env, log)
        started.append(process)
        url = f"http://127.0.0.1:{process.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=5)  # noqa: S310
                return url
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"{server} did not start:\n{log.read_text()}") from None
                time.sleep(0.2)

    yield start
    for process in started:
        if process.poll() is None:
            stop_server(process)


COMMANDS = {
    # What scripts/run-demo.sh runs (ASGI: pages, API and live classes).
    "daphne": [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}",
               "portal.asgi:application"],
    # The WSGI deployment, where coverage reports take the lean way in (courses/ingest.py).
    "granian": [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", "{port}", "--workers", "1", "--no-ws", "portal.wsgi:application"],
}  # fmt: skip


def serve(server: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    """Like tests.asgi.start_server, for either server and keeping the server's log."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [part.format(port=port) for part in COMMANDS[server]],
            cwd=Path(settings.BASE_DIR),
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                **env,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    process.port = port
    return process


def signed_in_cookie(client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def get(url: str, path: str, cookie: str = "", language: str = "") -> Answer:
    """One GET, redirects not followed (a sign-in redirect must not pass for the page)."""
    connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if language:
        headers["Accept-Language"] = language
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def next_frame(socket, kind: str, timeout: float = 15, **fields) -> dict:
    """The next frame of this type (and these fields) on a live-class socket. Others are skipped:
    presence counts, or an earlier frame delivered again after a Redis blip (the channel layer
    delivers at least once)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == kind and fields.items() <= frame.items():
            return frame
