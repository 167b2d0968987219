"""Live-class broadcast delivery: p50/p99 latency and loss at N listeners.

The benchmark builds a production-like deployment on this machine (PostgreSQL database
`portal_bench_live`, Redis db 14, DEBUG off) and serves it with scripts/asgi-processes.py:
SERVER_PROCESSES daphne processes on one address, sharing the Redis channel layer. It seeds one
class for adults and SEED_USERS signed-in supervisees; listeners share these sessions (a person
may have several devices).

GENERATORS load-generator processes open the N listener sockets, ramping up, with the lean
asyncio protocol of bench/listener.py (the handshake, then frame parsing only, one time stamp
per chunk of bytes received), and record when each chat frame arrives. A full client library
cost the generators enough CPU to show in the servers' figures. A presenter socket sends
MESSAGES chat messages, one every INTERVAL seconds, each carrying its send time. Latency is
arrival minus send time (one machine, one clock); loss is the share of (listener, message)
pairs that never arrived within the wait. Servers, databases and generators share the cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import signal
import subprocess
import time
from pathlib import Path

from bench import progress

ROOT = progress.ROOT
DB_NAME = "portal_bench_live"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
SIZES = [int(n) for n in os.environ.get("BENCH_FANOUT_SIZES", "500,2000,5000").split(",")]
SERVER_PROCESSES = int(os.environ.get("BENCH_FANOUT_SERVERS", "2"))
GENERATORS = int(os.environ.get("BENCH_FANOUT_GENERATORS", "2"))
SEED_USERS = 200
MESSAGES = 20
INTERVAL = 1.0
TARGETS = {500: (300, 0.0), 2000: (300, 0.0), 5000: (500, None)}  # p99 ms, loss


def run() -> list[dict]:
    with deployment("bench-fanout-") as (port, seed, _work):
        rows = []
        for size in SIZES:
            rows.extend(_rows(size, _measure(port, seed, size)))
        return rows


@contextlib.contextmanager
def deployment(prefix: str):
    """The live benchmarks' deployment: a fresh database migrated and seeded (one class, its
    presenter and SEED_USERS listeners, all signed in), static files collected, and
    SERVER_PROCESSES daphne processes on one port. Yields (port, seed, work folder)."""
    work = Path(progress.tempfile.mkdtemp(prefix=prefix))
    env = progress._server_env(work)
    env["DATABASE_URL"] = DATABASE_URL
    _reset(drop_only=False)
    server = None
    try:
        progress._manage(env, "migrate", "--noinput", "-v", "0")
        progress._manage(env, "collectstatic", "--noinput", "-v", "0")
        seed_file = work / "seed.json"
        code = "import bench.fanout as f; f._seed_main()"
        subprocess.run(  # noqa: S603
            [progress.PYTHON, "-c", code, str(seed_file)], cwd=ROOT, env=env, check=True
        )
        port = progress._free_port()
        server = subprocess.Popen(  # noqa: S603
            [progress.PYTHON, "scripts/asgi-processes.py", "127.0.0.1", str(port)],
            cwd=ROOT,
            env={**env, "PORTAL_ASGI_PROCESSES": str(SERVER_PROCESSES)},
            stdout=(work / "servers.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for_port(port)
        yield port, json.loads(seed_file.read_text()), work
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        _reset(drop_only=True)


def _reset(drop_only: bool) -> None:
    import psycopg
    import redis

    with psycopg.connect(progress.PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    client = redis.Redis.from_url(progress.REDIS_URL)
    client.flushdb()
    client.close()


def _wait_for_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the ASGI processes did not start") from None
            time.sleep(0.3)


def _measure(port: int, seed: dict, size: int) -> dict:
    """Open `size` listeners over the generator processes, then broadcast and collect."""
    url = f"ws://127.0.0.1:{port}/ws/live/{seed['key']}/"
    go = multiprocessing.Event()
    results = multiprocessing.Queue()
    shares = [size // GENERATORS + (1 if i < size % GENERATORS else 0) for i in range(GENERATORS)]
    workers = [
        multiprocessing.Process(
            target=_generator, args=(url, seed["listeners"], share, i, results, go)
        )
        for i, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    opened = sum(results.get(timeout=600) for _ in workers)  # each reports its open sockets
    go.set()
    asyncio.run(_present(url, seed["presenter"]))
    arrivals: list[float] = []
    sent_and_latency: list[tuple[float, float]] = []
    received = 0
    for _ in workers:
        part = results.get(timeout=300)
        arrivals.extend(latency for _sent, latency in part["latencies"])
        sent_and_latency.extend(part["latencies"])
        received += part["received"]
    for worker in workers:
        worker.join(timeout=60)
    expected = opened * MESSAGES
    if os.environ.get("BENCH_FANOUT_DEBUG"):
        by_message: dict[float, list[float]] = {}
        for sent, latency in sent_and_latency:
            by_message.setdefault(sent, []).append(latency)
        for sent in sorted(by_message):
            values = sorted(by_message[sent])
            print(
                f"  message at {sent:.3f}: n={len(values)} p50={_percentile(values, 50):.0f}"
                f" p99={_percentile(values, 99):.0f} max={values[-1]:.0f}"
            )
    arrivals.sort()
    return {
        "size": size,
        "opened": opened,
        "p50": _percentile(arrivals, 50),
        "p99": _percentile(arrivals, 99),
        "loss": 1 - received / expected if expected else 1.0,
    }


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return math.inf
    index = min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1)
    return values[max(index, 0)]


async def _present(url: str, session: str) -> None:
    import websockets

    headers = {"Cookie": f"sessionid={session}", "Origin": "http://127.0.0.1"}
    async with websockets.connect(url, additional_headers=headers, max_size=2**20) as socket:
        await socket.recv()  # welcome
        for _ in range(MESSAGES):
            await socket.send(json.dumps({"type": "chat.send", "text": f"{time.time():.6f}"}))
            await asyncio.sleep(INTERVAL)
        await asyncio.sleep(2)
        if os.environ.get("BENCH_FANOUT_DEBUG"):
            with contextlib.suppress(TimeoutError):
                while True:
                    print("presenter got", (await asyncio.wait_for(socket.recv(), 1))[:120])


def _generator(url, sessions, count, index, results, go) -> None:
    asyncio.run(_listen(url, sessions, count, index, results, go))


async def _listen(url, sessions, count, index, results, go) -> None:
    from urllib.parse import urlsplit

    from bench.listener import Listener, chat_sent_at

    loop = asyncio.get_running_loop()
    parts = urlsplit(url)
    latencies: list[tuple[float, float]] = []
    listeners: list[tuple[Listener, list[int]]] = []
    failures: list = []

    async def open_one(number: int):
        session = sessions[(index * 7919 + number) % len(sessions)]
        headers = {"Cookie": f"sessionid={session}", "Origin": "http://127.0.0.1"}
        seen = [0]

        def on_text(payload: bytes, arrived: float) -> None:
            sent = chat_sent_at(payload)
            if sent is not None:
                latencies.append((sent, (arrived - sent) * 1000))
                seen[0] += 1

        for attempt in range(5):  # a browser reconnects with a growing delay too
            try:
                _transport, listener = await loop.create_connection(
                    lambda: Listener(parts.path, parts.netloc, headers, on_text),
                    parts.hostname,
                    parts.port,
                )
                if await asyncio.wait_for(listener.ready, 60):
                    return listener, seen
                listener.close()
                failures.append(listener.refused or b"closed")
            except (OSError, TimeoutError) as error:
                failures.append(repr(error))
            await asyncio.sleep(2**attempt)
        return None

    for start in range(0, count, 100):  # ramp up in steps of 100
        batch = await asyncio.gather(*(open_one(n) for n in range(start, min(count, start + 100))))
        listeners.extend(pair for pair in batch if pair is not None)
    results.put(len(listeners))
    if os.environ.get("BENCH_FANOUT_DEBUG") and failures:
        print("failed attempts:", len(failures), failures[:5], flush=True)
    while not go.is_set():
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + MESSAGES * INTERVAL + 15
    expected = len(listeners) * MESSAGES
    while time.monotonic() < deadline and sum(seen[0] for _, seen in listeners) < expected:
        await asyncio.sleep(0.5)
    received = sum(seen[0] for _, seen in listeners)
    for listener, _seen in listeners:
        listener.close()
    if os.environ.get("BENCH_FANOUT_DEBUG"):
        print("per-socket counts", sorted(seen[0] for _, seen in listeners)[:10], flush=True)
    results.put({"latencies": latencies, "received": received})


def _rows(size: int, r: dict) -> list[dict]:
    p99_target, loss_target = TARGETS.get(size, (500, None))
    ok = r["p99"] <= p99_target and (loss_target is None or r["loss"] <= loss_target)
    loss_text = f"loss {r['loss']:.2%}" + ("" if loss_target is None else " (target 0)")
    return [
        {
            "work": f"live broadcast to {size:,} listeners ({r['opened']:,} open, "
            f"{SERVER_PROCESSES} ASGI processes)",
            "figure": f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms, {loss_text}",
            "target": f"p99 ≤ {p99_target} ms" + (", no loss" if loss_target == 0 else ""),
            "ok": ok and r["opened"] == size,
        }
    ]


def _seed_main() -> None:
    import datetime
    import sys

    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone

    from live.models import LiveClass
    from portal.models import Membership, Organisation, Region, Role, User

    province = Region.objects.create(code="370000", name="山东省", level="province")
    city = Region.objects.create(code="370400", name="枣庄市", level="city", parent=province)
    township = Region.objects.create(
        code="370402001", name="中心街街道", level="township", parent=city
    )
    agency = Organisation.objects.create(
        name="枣庄市局", kind=Organisation.Kind.AGENCY, region=city
    )
    office = Organisation.objects.create(
        name="中心街司法所", kind=Organisation.Kind.JUDICIAL_OFFICE, region=township, parent=agency
    )
    official = User.objects.create_user(username="presenter", password=None, full_name="主讲人")
    Membership.objects.create(user=official, organisation=agency, role=Role.OFFICIAL)
    TOTP.activate(official, generate_totp_secret())  # staff pages require a second factor
    now = timezone.now()
    live_class = LiveClass.objects.create(
        title="基准测试直播",
        organiser=agency,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=3),
        audience=LiveClass.Audience.ADULTS,
        created_by=official,
    )
    live_class.presenters.add(official)
    start = timezone.localdate() - datetime.timedelta(days=60)
    listeners = []
    for i in range(SEED_USERS):
        user = User.objects.create_user(username=f"listener{i:04d}", password=None)
        progress.adult_supervisee(user, office, township, i, start)
        listeners.append(progress.signed_in(user))
    Path(sys.argv[1]).write_text(
        json.dumps(
            {
                "key": str(live_class.key),
                "presenter": progress.signed_in(official),
                "listeners": listeners,
            }
        )
    )
