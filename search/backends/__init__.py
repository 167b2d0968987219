"""The configured backend: Elasticsearch when ELASTICSEARCH_URL is set, else the database."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .base import Backend


@cache
def get_backend() -> Backend:
    if settings.ELASTICSEARCH_URL:
        from .elastic import ElasticBackend

        return ElasticBackend()
    from .database import DatabaseBackend

    return DatabaseBackend()


@receiver(setting_changed)
def _forget_backend(setting, **kwargs) -> None:
    if setting.startswith("ELASTICSEARCH") or setting == "SEARCH_INDEX_PREFIX":
        get_backend.cache_clear()
