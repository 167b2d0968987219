"""Receivers: session stamping and audit entries around sign-in and sign-out."""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .middleware import SESSION_DUTIES_CHECKED, start_session


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    start_session(request, user)
    audit.record(request, audit.Action.LOGIN, user, user=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    # Signing out ends the user's sessions on every device; a session that merely expired
    # here leaves the others alone.
    if not getattr(request, "portal_session_expired", False):
        user.end_all_sessions()
    audit.record(request, audit.Action.LOGOUT, user, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    attempted = next(
        (str(credentials[k]) for k in ("username", "email", "phone") if credentials.get(k)), ""
    )
    audit.record(
        request, audit.Action.LOGIN_FAILED, object_type="portal.user", detail={"login": attempted}
    )


@receiver(password_changed)
@receiver(password_reset)
def on_password_changed(sender, request, user, **kwargs):
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


@receiver(authenticator_removed)
def on_authenticator_removed(sender, request, user, **kwargs):
    """Check the account's duties (staff must keep a second factor) on the very next request."""
    if request is not None:
        request.session.pop(SESSION_DUTIES_CHECKED, None)
