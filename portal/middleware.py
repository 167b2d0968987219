"""Session lifetime (pages and websockets), account duties (password change, MFA enrolment) and
security headers."""

import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .access import is_staff_member, is_supervisee

SESSION_EPOCH = "portal_epoch"
SESSION_STARTED = "portal_started"
SESSION_LAST_SEEN = "portal_last_seen"
SESSION_DUTIES_CHECKED = "portal_duties_checked"
# Refresh "last seen" at most this often, so ordinary browsing does not write every request.
LAST_SEEN_RESOLUTION = 30
# A user with no outstanding duty is checked again after this many seconds, not on every request
# (the check reads the user's roles); a duty that appears in between is caught this much later.
DUTIES_RECHECK_SECONDS = 60


def content_security_policy(*, admin: bool) -> str:
    """The CSP header; MEDIA_CSP_SOURCES adds the object-storage origin that serves video."""
    media = " ".join(["'self'", "blob:", *settings.MEDIA_CSP_SOURCES])
    inline = " 'unsafe-inline'" if admin else ""
    ancestors = "'self'" if admin else "'none'"
    return (
        f"default-src 'self'; script-src 'self'{inline}; style-src 'self'{inline}; "
        f"img-src 'self' data: {media}; media-src {media}; worker-src 'self' blob:; "
        f"connect-src {media}; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors {ancestors}"
    )


# The Wagtail and Django admin interfaces still rely on inline scripts and styles.
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def start_session(request, user) -> None:
    """Stamp a fresh session with the user's epoch and start time (called at sign-in)."""
    now = int(time.time())
    request.session[SESSION_EPOCH] = user.session_epoch
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


def idle_limit(user) -> int:
    if is_staff_member(user):
        return settings.PORTAL_IDLE_TIMEOUT_STAFF
    if is_supervisee(user):
        return settings.PORTAL_IDLE_TIMEOUT_SUPERVISEE
    return settings.PORTAL_IDLE_TIMEOUT_OTHER


def shortest_idle_limit() -> int:
    return min(
        settings.PORTAL_IDLE_TIMEOUT_STAFF,
        settings.PORTAL_IDLE_TIMEOUT_SUPERVISEE,
        settings.PORTAL_IDLE_TIMEOUT_OTHER,
    )


class SessionPolicyMiddleware:
    """End sessions that were logged out elsewhere, sat idle too long or lived too long."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            reason = self._expiry_reason(request, user)
            if reason:
                request.portal_session_expired = True
                logout(request)
                messages.info(request, reason)
        return self.get_response(request)

    def _expiry_reason(self, request, user) -> str:
        if SESSION_EPOCH not in request.session:
            start_session(request, user)
            return ""
        return expiry_reason(request.session, user, int(time.time()))


def expiry_reason(session, user, now: int) -> str:
    """Why a stamped, signed-in session must end now, or "" (and then it counts as seen)."""
    if session[SESSION_EPOCH] != user.session_epoch:
        return _("You were signed out on all devices. Please sign in again.")
    if now - session.get(SESSION_STARTED, now) > settings.PORTAL_SESSION_ABSOLUTE_TIMEOUT:
        return _("Your session reached its maximum length. Please sign in again.")
    idle = now - session.get(SESSION_LAST_SEEN, now)
    # The role-dependent limit (which reads the user's roles) matters only past the shortest.
    if idle > shortest_idle_limit() and idle > idle_limit(user):
        return _("You were signed out after a period of inactivity.")
    if now - session.get(SESSION_LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION:
        session[SESSION_LAST_SEEN] = now
    return ""


def pending_duty(session, user, now: int) -> tuple[str, str] | None:
    """The user's outstanding duty, checked again every DUTIES_RECHECK_SECONDS; the session
    remembers when none was found."""
    if now - session.get(SESSION_DUTIES_CHECKED, 0) < DUTIES_RECHECK_SECONDS:
        return None
    duty = account_duty(user)
    if duty is None:
        session[SESSION_DUTIES_CHECKED] = now
    return duty


def account_duty(user) -> tuple[str, str] | None:
    """What the user must do before anything else: (where, message), or None."""
    if user.must_change_password:
        return (
            reverse("account_change_password"),
            _("Please choose a new password before you continue."),
        )
    if settings.PORTAL_REQUIRE_STAFF_MFA and is_staff_member(user):
        from allauth.mfa.utils import is_mfa_enabled

        if not is_mfa_enabled(user):
            return (
                reverse("mfa_activate_totp"),
                _("Staff accounts must set up two-factor authentication before continuing."),
            )
    return None


class AccountDutiesMiddleware:
    """Send users to what they must do first: change an initial password, enrol MFA."""

    # Account pages themselves (sign-out, password, two-factor set-up) stay reachable.
    exempt_prefixes = ("/static/", "/media/", "/i18n/", "/accounts/", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.exempt_prefixes):
            duty = self._duty_for_session(request, user)
            if duty:
                url, message = duty
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                if request.method == "GET":
                    messages.warning(request, message)
                return redirect(url)
        return self.get_response(request)

    def _duty_for_session(self, request, user) -> tuple[str, str] | None:
        return pending_duty(request.session, user, int(time.time()))


class SocketSessionPolicy:
    """Channels middleware, inside AuthMiddlewareStack: a websocket whose session the HTTP
    middleware would end (signed out everywhere, idle, too old) or whose user has a duty
    outstanding connects as nobody, and the consumer refuses it."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        signed_in = user is not None and user.is_authenticated
        if signed_in and await database_sync_to_async(self.must_end)(scope["session"], user):
            scope = {**scope, "user": AnonymousUser()}
        return await self.inner(scope, receive, send)

    @staticmethod
    def must_end(session, user) -> bool:
        now = int(time.time())
        # An unstamped session is one the HTTP middleware would stamp as new.
        if SESSION_EPOCH in session and expiry_reason(session, user, now):
            return True
        return pending_duty(session, user, now) is not None


class SecurityHeadersMiddleware:
    """Content Security Policy and related headers on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(ADMIN_PREFIXES)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(admin=admin))
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(self), camera=(self), microphone=(self)"
        )
        return response
