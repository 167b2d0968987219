from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "live"
    verbose_name = _("Live classes")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from portal.housekeeping import register

        from .attendance import send_attention_checks, sweep_stale_leases
        from .replay import make_replays
        from .signals import close_sockets_on_deactivation, close_sockets_on_logout

        user_logged_out.connect(close_sockets_on_logout, dispatch_uid="live.logout")
        post_save.connect(
            close_sockets_on_deactivation, sender=get_user_model(), dispatch_uid="live.inactive"
        )
        register("live.sweep_leases", sweep_stale_leases)
        register("live.attention_checks", send_attention_checks)
        register("live.make_replays", make_replays)
