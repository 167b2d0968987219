from django.conf import settings

from .access import roles_of


def portal(request) -> dict:
    return {
        "portal_name": settings.PORTAL_NAME,
        "user_roles": roles_of(getattr(request, "user", None)),
    }
