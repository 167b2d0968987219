"""Progress-report ingestion and course page latency on PostgreSQL + Redis, several processes.

The benchmark builds its own deployment on this machine and takes it down again:

* a fresh PostgreSQL database (`portal_bench`, dropped at the end) and Redis db 14 (flushed at
  start and end), migrated and with static files collected as for production, DEBUG off;
* seeded in a subprocess with one judicial office, VIEWERS supervisees with signed-in sessions,
  CSRF tokens and watch tokens, and a general course whose lessons have 3-hour videos (no
  orientation course, so the first-lesson gate never redirects), each viewer already with a
  progress row in the lesson (people mid-lesson);
* for each server set-up in SERVERS, that many server processes, each on its own port of
  127.0.0.1 (as a reverse proxy would spread requests over them), logging warnings only.

A lean asyncio HTTP/1.1 keep-alive client in a process of its own plays the players. Each
simulated viewer reports as the lesson page's script does: a rising sequence number and the
stretch played since its last acknowledged report, played at normal speed in real time, so the
server's plausibility rules accept the reports. Three runs follow, each after a warm-up:

1. closed loop: CLOSED_CONNECTIONS connections send reports back to back, each for its share of
   the viewers in turn (at 1,000 reports/s a viewer reports about once a second): the rate the
   deployment sustains, and its latencies at that load;
2. open loop at exactly TARGET_RATE reports/s, latency counted from when each report was due,
   so a server falling behind shows as latency; stopped early once a backlog builds up;
3. GET of the course page by signed-in supervisees at light load (PAGE_CONNECTIONS at a time).

Servers, PostgreSQL, Redis and the load generator share this machine's cores, so other work on
the machine lowers the figures: the benchmark says when it found the machine busy.
BENCH_PROGRESS_SERVERS (e.g. "granian:3,daphne:3,gunicorn:3") measures other set-ups.
"""

import asyncio
import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "portal_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/14"  # the test suite uses /15

VIEWERS = 1000
LESSONS = 6
VIDEO_SECONDS = 3 * 60 * 60

# "kind:processes". granian serves portal.wsgi (HTTP in Rust, one Python thread per process that
# keeps its database connection), where reports take the lean way in (courses/ingest.py);
# daphne (what scripts/run-demo.sh runs) serves portal.asgi, where every report goes through
# Django: each request costs several thread hand-offs and a new database connection. gunicorn
# and uvicorn (not project dependencies: install them to compare) serve the same two modules.
# Two granian processes did best on 2 cores.
SERVERS = os.environ.get("BENCH_PROGRESS_SERVERS", "granian:2,daphne:2")
WSGI_SERVERS = {"gunicorn", "granian"}

TARGET_RATE = 1000  # reports/s
TARGET_P99_MS = 100
TARGET_PAGE_P95_MS = 200
MIN_ACCEPTED = 0.99

WARMUP_SECONDS = 3
CLOSED_SECONDS = 15
CLOSED_CONNECTIONS = 32
OPEN_SECONDS = 15
# Like a reverse proxy's pool of upstream connections: more would only queue in the servers, and
# under ASGI every request in progress holds a database connection of its own.
OPEN_MAX_CONNECTIONS = 64
# The open loop stops once this many seconds' worth of reports wait unanswered.
BACKLOG_SECONDS = 2
DRAIN_SECONDS = 5
PAGE_WARMUP_SECONDS = 2
PAGE_SECONDS = 8
PAGE_CONNECTIONS = 4
# A viewer never claims more than this much new playback in one report (the player's interval).
MAX_GAIN_SECONDS = 10.0
BUSY_WARNING_CORES = 0.25


# --- Orchestration (the benchmark process) -------------------------------------------------------


def run() -> list[dict]:
    specs = [_parse_spec(spec) for spec in SERVERS.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-progress-"))
    env = _server_env(work)
    rows: list[dict] = []
    try:
        _reset_stores()
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        seeded = _seed(env, work)
        state = seeded["viewers"]
        for kind, processes in specs:
            result, state = _measure(kind, processes, env, work, seeded, state)
            rows.extend(_rows(kind, processes, result))
    finally:
        _reset_stores(drop_only=True)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _parse_spec(spec: str) -> tuple[str, int]:
    kind, _, count = spec.strip().partition(":")
    return kind, int(count or 2)


def _server_env(work: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PORTAL_TESTING", "DJANGO_DEBUG", "PORTAL_ENV", "DATABASE_CONN_MAX_AGE"}
    }
    env.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        PORTAL_VAR_DIR=str(work / "var"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="portal.settings",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def _reset_stores(drop_only: bool = False) -> None:
    """A fresh database and an empty Redis db; with drop_only, just remove both."""
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _seed(env: dict, work: Path) -> dict:
    out = work / "seed.json"
    code = "import bench.progress as p; p._seed_main()"
    command = [PYTHON, "-c", code, str(out), str(VIEWERS)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603
    return json.loads(out.read_text())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_command(kind: str, port: int) -> list[str]:
    bin_dir = Path(PYTHON).parent
    host = "127.0.0.1"
    if kind == "daphne":
        return [str(bin_dir / "daphne"), "-b", host, "-p", str(port), "-v", "0",
                "portal.asgi:application"]  # fmt: skip
    if kind == "uvicorn":
        return [str(bin_dir / "uvicorn"), "portal.asgi:application", "--host", host,
                "--port", str(port), "--no-access-log", "--log-level", "warning",
                "--lifespan", "off"]  # fmt: skip
    if kind == "gunicorn":
        return [str(bin_dir / "gunicorn"), "portal.wsgi:application", "-b", f"{host}:{port}",
                "-w", "1", "-k", "gthread", "--threads", "1", "--keep-alive", "75",
                "--log-level", "warning"]  # fmt: skip
    if kind == "granian":
        return [str(bin_dir / "granian"), "--interface", "wsgi", "--host", host, "--port",
                str(port), "--http", "1", "--workers", "1", "--runtime-threads", "1",
                "--blocking-threads", "1", "--no-ws", "--log-level", "warning",
                "portal.wsgi:application"]  # fmt: skip
    raise ValueError(f"unknown server {kind!r}")


def _start_servers(kind: str, processes: int, env: dict, work: Path):
    ports = [_free_port() for _ in range(processes)]
    servers = []
    try:
        for port in ports:
            log = (work / f"{kind}-{port}.log").open("wb")
            process = subprocess.Popen(  # noqa: S603
                _server_command(kind, port),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
            )
            servers.append((process, log))
        deadline = time.monotonic() + 60
        for (process, _log), port in zip(servers, ports, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{kind} on port {port} exited: {_tail(work, kind, port)}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{kind} on port {port} did not start") from None
                    time.sleep(0.2)
    except BaseException:
        _stop_servers(servers)
        raise
    return servers, ports


def _tail(work: Path, kind: str, port: int) -> str:
    path = work / f"{kind}-{port}.log"
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _stop_servers(servers) -> None:
    for process, _log in servers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process, log in servers:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _cpu_seconds(groups: set[int]) -> tuple[float, float]:
    """CPU seconds used so far by the whole machine (all cores) and by the process groups."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    busy = sum(fields) - fields[3] - fields[4]  # less idle and iowait
    used = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        after = stat.rsplit(")", 1)[1].split()
        if int(after[2]) in groups:  # process group; then utime, stime
            used += int(after[11]) + int(after[12])
    return busy / ticks, used / ticks


class CpuWindow:
    """Cores busy over the measuring window of a load-generator run (a thread of the parent)."""

    def __init__(self, groups: set[int], after: float, seconds: float):
        self.groups, self.figures = groups, {}
        self.thread = threading.Thread(target=self._sample, args=(after, seconds), daemon=True)
        self.thread.start()

    def _sample(self, after: float, seconds: float) -> None:
        time.sleep(after)
        (busy0, used0), t0 = _cpu_seconds(self.groups), time.perf_counter()
        time.sleep(seconds)
        (busy1, used1), t1 = _cpu_seconds(self.groups), time.perf_counter()
        self.figures = {"busy": (busy1 - busy0) / (t1 - t0), "servers": (used1 - used0) / (t1 - t0)}

    def result(self) -> dict:
        self.thread.join()
        return self.figures


def _measure(kind: str, processes: int, env: dict, work: Path, seeded: dict, state: list):
    idle = CpuWindow(set(), 0, 1).result()["busy"]
    note = (
        f" (the machine was already busy: {idle:.2f} cores in use)"
        if idle > BUSY_WARNING_CORES
        else ""
    )
    print(f"  {kind} x {processes}{note}", flush=True)
    # Under ASGI every request runs in a thread of its own, and Django keeps a connection per
    # thread, so persistent connections would leak until PostgreSQL refuses more clients (Django's
    # docs: disable them under ASGI). A WSGI worker thread keeps its connection across requests.
    env = {**env, "DATABASE_CONN_MAX_AGE": "60" if kind in WSGI_SERVERS else "0"}
    servers, ports = _start_servers(kind, processes, env, work)
    groups = {process.pid for process, _log in servers}
    result = {"busy_before": idle}
    try:
        common = {"ports": ports, "lesson_id": seeded["lesson_id"]}
        closed = {"mode": "closed", "connections": CLOSED_CONNECTIONS, "seconds": CLOSED_SECONDS}
        opened = {"mode": "open", "rate": TARGET_RATE, "seconds": OPEN_SECONDS}
        for config in (closed, opened):
            config = {**common, **config, "warmup": WARMUP_SECONDS}
            if config["mode"] == "closed":  # the load generator needs a moment to start
                cpu = CpuWindow(groups, config["warmup"] + 0.2, config["seconds"] - 0.4)
            outcome = _loadgen(work, config, state)
            state = outcome.pop("viewers")
            if config["mode"] == "closed":
                outcome["cpu"] = cpu.result()
            result[config["mode"]] = outcome
            print(f"    {config['mode']}: {_summary(outcome)}", flush=True)
        config = {
            **common,
            "mode": "page",
            "url": seeded["course_url"],
            "connections": PAGE_CONNECTIONS,
            "seconds": PAGE_SECONDS,
            "warmup": PAGE_WARMUP_SECONDS,
        }
        outcome = _loadgen(work, config, state)
        outcome.pop("viewers")
        result["page"] = outcome
        print(f"    page: {_summary(outcome)}", flush=True)
        for port in ports:
            log = _tail(work, kind, port).strip()
            if log:
                print(f"    server log ({port}): …{log[-500:]}")
    finally:
        _stop_servers(servers)
    return result, state


def _loadgen(work: Path, config: dict, state: list) -> dict:
    source, target = work / "loadgen-in.json", work / "loadgen-out.json"
    source.write_text(json.dumps({"config": config, "viewers": state}))
    target.unlink(missing_ok=True)
    code = "import bench.progress as p; p._loadgen_main()"
    limit = config["warmup"] + config["seconds"] + DRAIN_SECONDS + 60
    command = [PYTHON, "-c", code, str(source), str(target)]
    subprocess.run(command, cwd=ROOT, check=True, timeout=limit)  # noqa: S603
    return json.loads(target.read_text())


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value < 10_000 else f"{value / 1000:.0f} s"


def _summary(r: dict) -> str:
    if r.get("overloaded_after") is not None:
        text = (
            f"fell behind: {BACKLOG_SECONDS} s of reports waiting after "
            f"{r['overloaded_after']:.1f} s, {r['rate']:.0f} answered/s"
        )
    else:
        text = (
            f"{r['rate']:.0f}/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms, {r['count']} answered"
        )
    if r.get("accepted") is not None and r["count"]:
        text += f", {r['accepted'] / r['count']:.1%} accepted"
    if r["errors"] or r["rejections"]:
        text += f", errors {r['errors']} {r['statuses']}, rejections {r['rejections']}"
    cpu = r.get("cpu")
    if cpu and r["rate"]:
        per = 1000 / r["rate"]
        text += (
            f"; CPU: {cpu['busy']:.2f} cores busy, servers {cpu['servers'] * per:.1f} ms "
            f"per report, the rest (PostgreSQL, Redis, load generator, kernel) "
            f"{(cpu['busy'] - cpu['servers']) * per:.1f} ms"
        )
    return text


def _rows(kind: str, processes: int, result: dict) -> list[dict]:
    closed, open_, page = result["closed"], result["open"], result["page"]
    where = f"{kind} x {processes}"
    reports = closed["count"] + open_["count"]
    accepted = (closed["accepted"] + open_["accepted"]) / reports if reports else 0.0
    # Under ASGI every report goes through Django: what the lean way in is measured against.
    rated = kind in WSGI_SERVERS
    target = (
        f"≥ {TARGET_RATE:,} reports/s, p99 ≤ {TARGET_P99_MS} ms"
        if rated
        else "reference (the target is the WSGI deployment's)"
    )
    if open_.get("overloaded_after") is not None:
        open_figure = (
            f"not sustained: {BACKLOG_SECONDS} s backlog after {open_['overloaded_after']:.0f} s "
            f"({open_['rate']:,.0f} answered/s)"
        )
        open_ok = False
    else:
        open_figure = (
            f"{open_['rate']:,.0f} reports/s answered, p50 {_ms(open_['p50'])}, "
            f"p99 {_ms(open_['p99'])}, {open_['errors']} errors"
        )
        open_ok = (
            open_["rate"] >= 0.99 * TARGET_RATE
            and open_["p99"] <= TARGET_P99_MS
            and not open_["errors"]
        )
    busy = " (machine busy before)" if result["busy_before"] > BUSY_WARNING_CORES else ""
    return [
        {
            "work": f"progress reports, {where}, most sustained ({CLOSED_CONNECTIONS} connections)"
            + busy,
            "figure": f"{closed['rate']:,.0f} reports/s, p50 {_ms(closed['p50'])}, "
            f"p99 {_ms(closed['p99'])}, {closed['errors']} errors",
            "target": target,
            "ok": closed["rate"] >= TARGET_RATE and closed["p99"] <= TARGET_P99_MS
            if rated
            else None,
        },
        {
            "work": f"progress reports, {where}, offered at exactly {TARGET_RATE:,}/s",
            "figure": open_figure,
            "target": target,
            "ok": open_ok if rated else None,
        },
        {
            "work": f"progress reports, {where}, answered accepted (plausible playback)",
            "figure": f"{accepted:.2%} of {reports:,}",
            "target": f"≥ {MIN_ACCEPTED:.0%}",
            "ok": accepted >= MIN_ACCEPTED,
        },
        {
            "work": f"course page GET, signed-in supervisee, warm, {where}, "
            f"{PAGE_CONNECTIONS} at a time",
            "figure": f"p95 {_ms(page['p95'])} (p50 {_ms(page['p50'])}, "
            f"{page['rate']:.0f} pages/s, {page['errors']} errors)",
            "target": f"p95 ≤ {TARGET_PAGE_P95_MS} ms",
            "ok": page["p95"] <= TARGET_PAGE_P95_MS and not page["errors"],
        },
    ]


# --- Seeding (a Django subprocess on the benchmark's database) -----------------------------------


def signed_in(user) -> str:
    """The key of a saved session signed in as `user`, as the login view leaves one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.middleware import SESSION_EPOCH, SESSION_LAST_SEEN, SESSION_STARTED

    stamp = int(time.time())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_EPOCH] = user.session_epoch
    session[SESSION_STARTED] = stamp
    session[SESSION_LAST_SEEN] = stamp
    session.save()
    return session.session_key


def adult_supervisee(user, office, township, number: int, start):
    """An adult on standard supervision since `start`, with a valid ID number."""
    import datetime

    from portal.idnumbers import make_id_number
    from portal.models import Supervisee

    birth = start.replace(year=start.year - 35) - datetime.timedelta(days=number)
    return Supervisee.objects.create(
        user=user,
        name=f"学员{number}",
        gender="male",
        birth_date=birth,
        id_number=make_id_number(township.code, birth, number),
        judicial_office=office,
        home_township=township,
        sentence_type="probation",
        supervision_level="standard",
        offence_category="theft",
        supervision_start=start,
        planned_end=start + datetime.timedelta(days=365),
    )


def _seed_main() -> None:
    import datetime

    import django

    django.setup()

    from django.db import transaction
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from courses.models import CourseIndexPage, CoursePage, LessonPage, LessonProgress
    from courses.progress import issue_token
    from media.models import Video
    from portal.models import HomePage, Organisation, Region, User

    out, count = Path(sys.argv[1]), int(sys.argv[2])
    with transaction.atomic():
        province = Region.objects.create(code="370000", name="山东省", level="province")
        city = Region.objects.create(code="370400", name="枣庄市", level="city", parent=province)
        county = Region.objects.create(code="370402", name="市中区", level="county", parent=city)
        township = Region.objects.create(
            code="370402001", name="中心街街道", level="township", parent=county
        )
        agency = Organisation.objects.create(
            name="市中区局", kind=Organisation.Kind.AGENCY, region=county
        )
        office = Organisation.objects.create(
            name="中心街司法所",
            kind=Organisation.Kind.JUDICIAL_OFFICE,
            region=township,
            parent=agency,
        )
        home = HomePage.objects.first()
        index = home.add_child(instance=CourseIndexPage(title="课程", slug="courses"))
        course = index.add_child(
            instance=CoursePage(title="法治教育", slug="law", kind="general", summary="宪法与法律")
        )
        lessons = []
        for number in range(1, LESSONS + 1):
            video = Video.objects.create(
                title=f"第{number}讲",
                status="ready",
                duration=VIDEO_SECONDS,
                rendition_dir="r1",
                width=640,
                height=360,
            )
            lessons.append(
                course.add_child(
                    instance=LessonPage(
                        title=f"第{number}讲",
                        slug=f"lesson-{number}",
                        video=video,
                        credited_minutes=30,
                    )
                )
            )
        lesson = lessons[0]

        now = timezone.now()
        start = timezone.localdate() - datetime.timedelta(days=60)
        viewers = []
        for i in range(count):
            user = User.objects.create_user(username=f"bench{i:04d}", password=None)
            supervisee = adult_supervisee(user, office, township, i, start)
            # Mid-lesson, as most reports are: the first report of a page view that creates
            # the row is one in hundreds of a lesson's reports.
            LessonProgress.objects.create(supervisee=supervisee, lesson=lesson)
            viewers.append(
                {
                    "session": signed_in(user),
                    "csrf": _get_new_csrf_string(),
                    "token": issue_token(user, supervisee, lesson, now).sign(),
                    "seq": 0,
                    "acked": 0.0,
                }
            )
    out.write_text(
        json.dumps({"lesson_id": lesson.pk, "course_url": course.url, "viewers": viewers})
    )


# --- Load generator (its own process; no Django) -------------------------------------------------


class Connection:
    """One HTTP/1.1 keep-alive connection; reopened after the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            self.writer.write(data)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, close, chunked = None, False, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    close = b"close" in value.lower()
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
            if chunked:
                body = await self._chunked()
            elif length is not None:
                body = await self.reader.readexactly(length)
            else:
                body, close = await self.reader.read(), True
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, body

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append((await self.reader.readexactly(size + 2))[:-2])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Viewer:
    """One person watching the lesson: plays in real time and reports what was played."""

    __slots__ = ("acked", "busy", "cookie", "data", "last", "played", "seq")

    def __init__(self, data: dict):
        self.data = data
        self.cookie = f"sessionid={data['session']}; csrftoken={data['csrf']}"
        self.seq = data["seq"]
        self.acked = self.played = data["acked"]
        self.last: float | None = None
        self.busy = asyncio.Lock()

    def report(self, port: int, lesson_id: int) -> bytes:
        now = time.perf_counter()
        if self.last is not None:
            self.played += min(now - self.last, MAX_GAIN_SECONDS)
        self.last = now
        self.seq += 1
        body = json.dumps(
            {
                "token": self.data["token"],
                "seq": self.seq,
                "ranges": [[round(self.acked, 3), round(self.played, 3)]],
                "position": round(self.played, 3),
            },
            separators=(",", ":"),
        ).encode()
        return (
            f"POST /api/v1/lessons/{lesson_id}/progress HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            f"Origin: http://127.0.0.1:{port}\r\n"
            f"Cookie: {self.cookie}\r\n"
            f"X-CSRFToken: {self.data['csrf']}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    def settle(self, status: int, body: bytes) -> None:
        """Like the player: what the server accepted (or already had) is not sent again."""
        if status == 200 and (b'"accepted"' in body or b'"duplicate"' in body):
            self.acked = self.played

    def page(self, port: int, url: str) -> bytes:
        return (
            f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {self.cookie}\r\n"
            "Accept: text/html\r\n\r\n"
        ).encode()

    def state(self) -> dict:
        return {**self.data, "seq": self.seq, "acked": self.acked}


class Tally:
    """Latencies and outcomes of the requests that count (those of the measuring window)."""

    def __init__(self, progress: bool):
        self.progress = progress
        self.latencies: list[float] = []
        self.answered = 0
        self.accepted = 0
        self.errors = 0
        self.rejections: dict[str, int] = {}
        self.statuses: dict[str, int] = {}

    def add(self, latency: float, status: int, body: bytes) -> None:
        self.latencies.append(latency)
        self.answered += 1
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if status != 200:
            self.errors += 1
        elif self.progress:
            if b'"accepted"' in body:
                self.accepted += 1
            else:
                reason = json.loads(body).get("reason") or "duplicate"
                self.rejections[reason] = self.rejections.get(reason, 0) + 1

    def unanswered(self, waited: float) -> None:
        """A request given up on: an error, and its latency at least the time it waited."""
        self.latencies.append(waited)
        self.errors += 1
        self.statuses["unanswered"] = self.statuses.get("unanswered", 0) + 1

    def result(self, rate: float) -> dict:
        ordered = sorted(self.latencies)

        def pct(q: float) -> float:
            if not ordered:
                return math.inf
            return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

        return {
            "count": self.answered,
            "rate": rate,
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": pct(1.0),
            "errors": self.errors,
            "accepted": self.accepted if self.progress else None,
            "rejections": self.rejections,
            "statuses": self.statuses,
        }


async def _closed(config: dict, viewers: list[Viewer], page: bool) -> dict:
    """Each connection sends its next request as soon as the previous one is answered."""
    ports, lesson_id = config["ports"], config["lesson_id"]
    connections = config["connections"]
    window_start = time.perf_counter() + config["warmup"]
    window_end = window_start + config["seconds"]
    tally = Tally(progress=not page)

    async def lane(index: int) -> None:
        port = ports[index % len(ports)]
        mine = viewers[index::connections]
        conn = Connection(port)
        turn = 0
        while time.perf_counter() < window_end:
            viewer = mine[turn % len(mine)]
            turn += 1
            data = viewer.page(port, config["url"]) if page else viewer.report(port, lesson_id)
            sent = time.perf_counter()
            try:
                status, body = await conn.request(data)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status, body = 599, b""
            done = time.perf_counter()
            if not page:
                viewer.settle(status, body)
            if window_start <= done < window_end:
                tally.add(done - sent, status, body)
        conn.close()

    await asyncio.gather(*(lane(i) for i in range(connections)))
    return tally.result(tally.answered / config["seconds"])


async def _open(config: dict, viewers: list[Viewer]) -> dict:
    """Reports due at a fixed rate whatever the server's pace; latency counts from when due."""
    ports, lesson_id, rate = config["ports"], config["lesson_id"], config["rate"]
    idle: dict[int, list[Connection]] = {port: [] for port in ports}
    slots = asyncio.Semaphore(OPEN_MAX_CONNECTIONS)
    start = time.perf_counter()
    window_start = start + config["warmup"]
    window_end = window_start + config["seconds"]
    tally = Tally(progress=True)
    pending: set[asyncio.Task] = set()
    answered = [0, 0]  # in the window, in all

    async def one(number: int, due: float) -> None:
        viewer = viewers[number % len(viewers)]
        port = ports[number % len(ports)]
        async with viewer.busy, slots:
            pool = idle[port]
            conn = pool.pop() if pool else Connection(port)
            try:
                status, body = await conn.request(viewer.report(port, lesson_id))
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status, body = 599, b""
            pool.append(conn)
        done = time.perf_counter()
        viewer.settle(status, body)
        answered[1] += 1
        if window_start <= done < window_end:
            answered[0] += 1
        if window_start <= due < window_end:
            tally.add(done - due, status, body)

    number, overloaded_after = 0, None
    while True:
        now = time.perf_counter()
        due = start + number / rate
        if due >= window_end:
            break
        if len(pending) > BACKLOG_SECONDS * rate:
            overloaded_after = now - start
            break
        if due <= now:
            task = asyncio.create_task(one(number, due))
            task.due = due
            pending.add(task)
            task.add_done_callback(pending.discard)
            number += 1
            continue
        await asyncio.sleep(due - now)
    stopped = time.perf_counter()
    if overloaded_after is not None:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        result = tally.result(answered[1] / (stopped - start))
        result["overloaded_after"] = overloaded_after
        return result
    late: set[asyncio.Task] = set()
    if pending:
        _done, late = await asyncio.wait(pending, timeout=DRAIN_SECONDS)
    waited = time.perf_counter()
    for task in late:
        task.cancel()
        if window_start <= task.due < window_end:
            tally.unanswered(waited - task.due)
    await asyncio.gather(*late, return_exceptions=True)
    return tally.result(answered[0] / config["seconds"])


def _loadgen_main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    data = json.loads(source.read_text())
    config = data["config"]

    async def main() -> dict:
        viewers = [Viewer(v) for v in data["viewers"]]
        mode = config["mode"]
        if mode == "open":
            result = await _open(config, viewers)
        else:
            result = await _closed(config, viewers, page=mode == "page")
        result["viewers"] = [v.state() for v in viewers]
        return result

    target.write_text(json.dumps(asyncio.run(main())))
