"""Project system checks: settings that must hold in any deployment, and in production."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .audit import MINIMUM_RETENTION_DAYS


@register()
def audit_retention_check(app_configs, **kwargs):
    if settings.AUDIT_RETENTION_DAYS < MINIMUM_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; the audit log must be "
                f"kept at least {MINIMUM_RETENTION_DAYS} days.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def deployment_check(app_configs, **kwargs):
    problems = []
    cache = settings.CACHES["default"]["BACKEND"]
    if cache.endswith(("LocMemCache", "DummyCache")):
        problems.append(
            Error(
                "The cache is process-local: rate limits and sessions would not be shared "
                "between server processes. Set REDIS_URL.",
                id="portal.E010",
            )
        )
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if layer.endswith("InMemoryChannelLayer"):
        problems.append(
            Error(
                "The channel layer is in-memory: live classes would not reach clients on "
                "other server processes. Set REDIS_URL.",
                id="portal.E011",
            )
        )
    if "PORTAL_TRUSTED_PROXY_COUNT" not in os.environ:
        problems.append(
            Error(
                "PORTAL_TRUSTED_PROXY_COUNT is not set. Set it to the number of reverse proxies "
                "in front of the application (0 if none), so client addresses used for rate "
                "limits and the audit log cannot be forged.",
                id="portal.E012",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "SQLite is meant for a single machine; use PostgreSQL (DATABASE_URL) in "
                "production.",
                id="portal.W013",
            )
        )
    if not settings.PORTAL_REQUIRE_STAFF_MFA:
        problems.append(Error("Staff two-factor authentication is switched off.", id="portal.E014"))
    if settings.DEBUG:
        problems.append(Error("DEBUG must be off in production.", id="portal.E015"))
    return problems
