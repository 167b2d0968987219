from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"
    verbose_name = _("Courses and attendance")

    def ready(self) -> None:
        from media.access import register_audience_check
        from portal.housekeeping import register

        from . import indexing  # noqa: F401  (registers courses with the search layer)
        from .access import may_watch
        from .warnings import send_hour_warnings

        register("courses.hour_warnings", send_hour_warnings)
        register_audience_check(may_watch)
