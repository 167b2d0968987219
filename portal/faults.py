"""A clear answer when the database or Redis is briefly unreachable.

Such a request gets 503 Service Unavailable with a Retry-After header, in the visitor's
language: a short page, or JSON under /api/. The page is rendered without the database, the
session or the user, none of which can be trusted then. Nothing is retried here: connections are
opened afresh by the next request (`CONN_HEALTH_CHECKS`, and redis-py reconnects by itself), so
the site recovers as soon as the service is back.

Under ASGI, Django renders error pages (404, 403, 400, 500) on a worker thread outside the
request cycle, so the database connection that thread opens for the page's menu is never checked
or closed by Django: after a database restart it stays broken, and every error page drawn on that
thread failed for good. The error handlers here check that thread's connections before the page
and close them after it, as the request cycle does for its own thread.
"""

from __future__ import annotations

import functools
import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Connection failures only: a query that is merely wrong stays an ordinary 500.
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 30


def is_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, UNAVAILABLE)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 in the language the visitor asked for (cookie or browser), zh-hans by default."""
    with translation.override(translation.get_language_from_request(request)):
        message = _(
            "The service is briefly unavailable. Please try again in a minute: what you had "
            "already saved is safe, but anything you were sending just now was not saved."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware(MiddlewareMixin):
    """Turns a view's lost database or Redis connection into the 503 answer."""

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_unavailable(exception):
            return None
        logger.warning("%s unavailable for %s: %s", _service(exception), request.path, exception)
        return unavailable_response(request)


def fresh_connections(view):
    """Run an error handler between two checks of this thread's database connections."""

    @functools.wraps(view)
    def handler(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        close_stale_connections()
        try:
            return view(request, *args, **kwargs)
        finally:
            close_stale_connections()

    return handler


def close_stale_connections() -> None:
    """Close this thread's connections that failed or outlived CONN_MAX_AGE (never one in a
    transaction): what Django does at the start and end of each request."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


@fresh_connections
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the same 503 when a middleware (sessions, sign-in, rate limits) lost its
    connection; Django's own 500 page otherwise."""
    error = sys.exception()
    if is_unavailable(error):
        logger.warning("%s unavailable for %s: %s", _service(error), request.path, error)
        return unavailable_response(request)
    return defaults.server_error(request)


page_not_found = fresh_connections(defaults.page_not_found)
permission_denied = fresh_connections(defaults.permission_denied)
bad_request = fresh_connections(defaults.bad_request)


def _service(error: BaseException) -> str:
    return "Redis" if isinstance(error, (RedisConnectionError, RedisTimeoutError)) else "Database"
