from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = _("Video")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import housekeeping

        from .actions import recover_stalled_videos

        housekeeping.register("media.recover_stalled_videos", recover_stalled_videos)
