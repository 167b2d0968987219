from django.conf import settings

from .access import roles_of


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        "user_roles": roles_of(user),
        "unread_notifications": _unread(user),
    }


def _unread(user):
    """Counted only when a template shows it."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return lambda: user.notifications.unread().count()
