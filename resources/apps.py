from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "resources"
    verbose_name = _("Resource directory")

    def ready(self) -> None:
        from portal.housekeeping import register

        from . import indexing  # noqa: F401  (registers bases and openings with the search layer)
        from .reminders import send_reminders

        register("resources.reminders", send_reminders)
