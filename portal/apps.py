from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import checks, indexing, signals  # noqa: F401  (registers checks, receivers, search)
        from .housekeeping import register
        from .publishing import publish_scheduled
        from .tasks import requeue_abandoned

        register("portal.publish_scheduled", publish_scheduled)
        register("portal.requeue_abandoned_tasks", requeue_abandoned)
