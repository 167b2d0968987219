from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "volunteers"
    verbose_name = _("Volunteers and assistance")

    def ready(self) -> None:
        from portal.access import register_identity_grant
        from portal.housekeeping import register
        from portal.models import Role
        from portal.models.people import register_scope_rule

        from .access import mentors_minor_with_approval, paired_with
        from .actions import send_lapse_alerts

        register_scope_rule(Role.MENTOR, paired_with)
        register_identity_grant(mentors_minor_with_approval)
        register("volunteers.lapse_alerts", send_lapse_alerts)
