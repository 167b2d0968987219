"""A lean way in for the players' coverage reports, in front of the WSGI application.

`POST /api/v1/lessons/<id>/progress` is most of the traffic while people study: every player
reports every few seconds. The API view (`courses.api.report_progress`) costs several times
the report itself in Django's middleware, URL resolution and query building. This wrapper
answers the ordinary report, one that extends an existing progress row, on its own, under
exactly the rules the full stack applies:

* the session: signed in, the session hash still valid for the user's password, the user
  active, not signed out everywhere, neither idle nor older than allowed, no outstanding
  account duty (`portal.middleware`), refreshed as the middleware would refresh it;
* the watch token and its owner, the plausibility rules and the conditional update of
  `courses.actions`, with the same answer body.

Anything else goes to the full stack unchanged, which then decides as always: no session or
one to end, a first report for the lesson, a report the rules reject, a report that completes
the lesson, a concurrent update. The wrapper never accepts what the full stack would refuse.
The watch token is a per-page secret bound to the user and the lesson, so it also does the
CSRF token's work here.
"""

import datetime
import io
import json
import re
import sys
import time

import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.signals import request_finished
from django.db import DatabaseError, connection
from django.http.request import split_domain_port, validate_host
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from pydantic import ValidationError

from portal.middleware import (
    SESSION_EPOCH,
    content_security_policy,
    expiry_reason,
    pending_duty,
)
from portal.models import User

from .actions import ASYNC_COMMIT_SQL, PROGRESS_FIELDS, ProgressOutcome, async_commit
from .api import ProgressIn
from .models import LessonProgress
from .progress import Rejected, Report, WatchToken, apply_report, read_token

PATH = re.compile(r"/api/v1/lessons/(\d+)/progress")
MAX_BODY = 16 * 1024

# Plain statements over the same columns as the ORM's (PROGRESS_FIELDS, in that order). One
# round trip reads the user and their progress in the lesson.
READ_SQL = (
    "SELECT u.id, u.password, u.is_active, u.session_epoch, u.must_change_password, "
    "p.id, p.intervals, p.covered_seconds, p.position, p.device, p.device_served_at, p.last_seq, "
    "p.last_report_at, p.completed_at FROM portal_user u LEFT JOIN courses_lessonprogress p "
    "ON p.supervisee_id = %s AND p.lesson_id = %s WHERE u.id = %s"
)
# Applied only if no other report got there first (same device and sequence number); on
# PostgreSQL committed asynchronously (courses.actions.async_commit).
UPDATE_SQL = (
    "UPDATE courses_lessonprogress SET intervals = %s, covered_seconds = %s, position = %s, "
    "device = %s, device_served_at = %s, last_seq = %s, last_report_at = %s "
    "WHERE id = %s AND device = %s AND last_seq = %s"
)


class FullStack(Exception):
    """This request is for the whole Django stack to answer."""


class ProgressIngestion:
    """WSGI middleware: the ordinary coverage report here, everything else to `app`."""

    def __init__(self, app):
        self.app = app
        self.session_store = import_string(settings.SESSION_ENGINE).SessionStore
        self.headers = [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
            ("Content-Security-Policy", content_security_policy(admin=False)),
        ]

    def __call__(self, environ, start_response):
        match = PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if not 0 < length <= MAX_BODY:
            return self.app(environ, start_response)
        secure = is_secure(environ)
        if not allowed_host(environ) or (settings.SECURE_SSL_REDIRECT and not secure):
            return self.app(environ, start_response)  # answered 400, or redirected
        body = environ["wsgi.input"].read(length)
        try:
            outcome = self.answer(environ, int(match.group(1)), body)
        except FullStack:
            outcome = None
        finally:
            # As after any request: give back a connection that failed or grew too old. (No
            # health check before: a broken connection fails the report over to the full
            # stack, which checks, reconnects and answers.)
            request_finished.send(sender=self.__class__)
        if outcome is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        payload = json.dumps(
            {
                "status": outcome.status,
                "reason": outcome.reason,
                "covered_seconds": outcome.covered_seconds,
                "position": outcome.position,
                "completed": outcome.completed,
            }
        ).encode()
        headers = [*self.headers, ("Content-Length", str(len(payload)))]
        if settings.SECURE_HSTS_SECONDS and secure:
            headers.append(("Strict-Transport-Security", hsts()))
        start_response("200 OK", headers)
        return [payload]

    def answer(self, environ, lesson_id: int, body: bytes) -> ProgressOutcome:
        now = timezone.now()
        try:
            data = ProgressIn.model_validate_json(body)  # the API's own schema
            token = read_token(data.token, now)
        except (ValidationError, Rejected) as exc:
            raise FullStack from exc  # the API's own answer: 422 or 403
        cookie = parse_cookie(environ.get("HTTP_COOKIE", ""), settings.SESSION_COOKIE_NAME)
        if not cookie:
            raise FullStack
        session = self.session_store(cookie)
        if (
            session.get(SESSION_KEY) != str(token.user_id)
            or session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS
            or token.lesson_id != lesson_id
        ):
            raise FullStack  # signed out, someone else's token, or another lesson's
        try:
            with statements() as cursor:
                cursor.execute(READ_SQL, [token.supervisee_id, lesson_id, token.user_id])
                row = cursor.fetchone()
                if row is None:
                    raise FullStack
                self.check_session(session, row[:5])
                report = Report(seq=data.seq, ranges=data.ranges, position=data.position)
                return self.apply(cursor, row[5:], token, report, now)
        except DatabaseError as exc:
            raise FullStack from exc

    def check_session(self, session, user_row) -> None:
        """Pass only if the full stack would let this session through as the user."""
        user_id, password, is_active, epoch, must_change_password = user_row
        if not is_active or SESSION_EPOCH not in session:
            raise FullStack
        user = User(
            id=user_id, password=password, is_active=is_active, session_epoch=epoch,
            must_change_password=must_change_password,
        )  # fmt: skip
        if not constant_time_compare(
            session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
        ):
            raise FullStack  # e.g. the password changed, or an older secret key signed it
        now = int(time.time())
        if expiry_reason(session, user, now) or pending_duty(session, user, now):
            raise FullStack
        if session.modified:
            session.save()

    def apply(self, cursor, row, token: WatchToken, report: Report, now) -> ProgressOutcome:
        """`courses.actions.record_progress`'s ordinary case, ending in one conditional update."""
        if row[0] is None:
            raise FullStack  # the first report for this lesson creates the row
        progress = LessonProgress(
            id=row[0], **dict(zip(PROGRESS_FIELDS, row[1:-1], strict=True)), completed_at=row[-1]
        )
        # What the ORM's converters do on databases without JSON and time zone types.
        if isinstance(progress.intervals, str):
            progress.intervals = json.loads(progress.intervals)
        progress.last_report_at = aware(progress.last_report_at)
        progress.device_served_at = aware(progress.device_served_at)
        seen = [progress.pk, progress.device, progress.last_seq]
        try:
            applied = apply_report(progress, token, report, now, settings.COURSES_MAX_PLAYBACK_RATE)
        except Rejected as exc:
            raise FullStack from exc  # counted and answered by the full stack
        completed = progress.completed_at is not None
        if (
            applied
            and not completed
            and progress.covered_seconds >= settings.COURSES_COMPLETION_SHARE * token.duration
        ):
            raise FullStack  # the completion credits the ledger
        if applied:
            values = [getattr(progress, field) for field in PROGRESS_FIELDS]
            values[PROGRESS_FIELDS.index("intervals")] = json.dumps(progress.intervals)
            for field in ("device_served_at", "last_report_at"):
                values[PROGRESS_FIELDS.index(field)] = connection.ops.adapt_datetimefield_value(
                    getattr(progress, field)
                )
            sql = f"{UPDATE_SQL} AND {ASYNC_COMMIT_SQL}" if async_commit() else UPDATE_SQL
            cursor.execute(sql, [*values, *seen])
            if cursor.rowcount != 1:
                raise FullStack  # another report was applied in between
        return ProgressOutcome(
            status="accepted" if applied else "duplicate",
            covered_seconds=progress.covered_seconds,
            position=progress.position,
            completed=completed,
        )


def allowed_host(environ) -> bool:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def is_secure(environ) -> bool:
    """As HttpRequest.is_secure(), behind the proxy that SECURE_PROXY_SSL_HEADER names."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        forwarded = environ.get(header)
        if forwarded is not None:
            return forwarded.split(",")[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def hsts() -> str:
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def statements():
    """A cursor for the two statements. On PostgreSQL, one that binds parameters on the server
    and prepares each statement once per connection, so the server parses and plans neither
    again; Django's own cursors bind on the client."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django's default, which turns preparing off
            # Prepare only what is asked for: Django's own cursors bind on the client and so
            # never prepare whatever the threshold.
            raw.prepare_threshold = sys.maxsize
        return _Prepared(psycopg.Cursor(raw))
    return connection.cursor()


class _Prepared:
    def __init__(self, cursor):
        self.cursor = cursor

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cursor.close()

    def execute(self, sql, params):
        with connection.wrap_database_errors:
            self.cursor.execute(sql, params, prepare=True)

    def fetchone(self):
        return self.cursor.fetchone()

    @property
    def rowcount(self):
        return self.cursor.rowcount


def aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def parse_cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""
