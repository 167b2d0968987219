from functools import wraps

from django.contrib.auth.decorators import login_required

from portal.access import require_role


def role_required(*roles: str):
    """Signed-in users holding one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        wrapped.portal_roles = roles
        return wrapped

    return decorator
