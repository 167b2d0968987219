"""Videos for lessons and live-class replays, their renditions and caption tracks."""

import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable
from wagtail.search import index

from .validators import validate_upload_size, validate_webvtt

VIDEO_EXTENSIONS = ["mp4", "m4v", "mov", "mkv", "webm", "avi", "flv", "wmv", "mpg", "mpeg", "ts"]


def video_storage():
    """The store for originals, renditions and captions: served only through `media.views`."""
    return storages["video"]


def original_path(video: "Video", filename: str) -> str:
    extension = posixpath.splitext(filename)[1].lower()[:8]
    return f"{video.key}/original/source{extension}"


def caption_path(caption: "VideoCaption", filename: str) -> str:
    return f"{caption.video.key}/captions/{uuid.uuid4().hex}.vtt"


class Status(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Failure(models.TextChoices):
    """Why processing stopped, in words an editor can act on."""

    EMPTY = "empty", _("The file is empty.")
    NOT_VIDEO = "not_video", _("The file is not a video ffmpeg can read. Upload an MP4 or MOV.")
    CORRUPT = "corrupt", _("The video file is damaged and cannot be decoded. Export it again.")
    AUDIO_ONLY = "audio_only", _("The file has sound but no picture. Upload a video.")
    TOO_LONG = "too_long", _("The video is longer than the permitted maximum.")
    TOO_LARGE = "too_large", _("The file is larger than the permitted maximum.")
    INTERRUPTED = "interrupted", _("Processing was interrupted several times. Try again.")
    TRANSCODE = "transcode", _("Transcoding failed. Try again, or export the video again.")


class VideoQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Status.READY)

    def stalled(self, before):
        """Jobs marked processing whose worker stopped beating before `before`."""
        return self.filter(status=Status.PROCESSING, heartbeat_at__lt=before)


class Video(index.Indexed, ClusterableModel):
    """A self-hosted video: the original upload, kept, and the published HLS renditions."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    original = models.FileField(
        _("video file"),
        storage=video_storage,
        upload_to=original_path,
        max_length=255,
        validators=[FileExtensionValidator(VIDEO_EXTENSIONS), validate_upload_size],
        help_text=_("MP4 or MOV recommended. The original is kept; viewers get adaptive HLS."),
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    original_size = models.PositiveBigIntegerField(_("original size (bytes)"), default=0)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    failure = models.CharField(_("failure"), max_length=16, choices=Failure.choices, blank=True)
    failure_detail = models.TextField(_("technical detail"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The processing job that owns this video now; only it may publish or report progress.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    duration = models.FloatField(_("duration (s)"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    has_audio = models.BooleanField(default=False)
    # Published output: a folder under the key, named after the job that wrote it, listed
    # here only once every file in it is complete.
    rendition_dir = models.CharField(max_length=100, blank=True, editable=False)
    renditions = models.JSONField(default=list, blank=True, editable=False)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = VideoQuerySet.as_manager()

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == Status.READY and bool(self.rendition_dir)

    def published_name(self, filename: str) -> str:
        """Storage name of a file in the published renditions."""
        return f"{self.key}/{self.rendition_dir}/{filename}"

    @property
    def failure_message(self) -> str:
        return Failure(self.failure).label if self.failure else ""


class CaptionLanguage(models.TextChoices):
    ZH_HANS = "zh-Hans", "简体中文"
    EN = "en", "English"
    YUE = "yue", "粤语"
    UG = "ug", "ئۇيغۇرچە"
    BO = "bo", "བོད་ཡིག"


class VideoCaption(Orderable):
    """A WebVTT caption track for a video, in one language."""

    video = ParentalKey(Video, related_name="captions", on_delete=models.CASCADE)
    language = models.CharField(
        _("language"), max_length=12, choices=CaptionLanguage.choices, default="zh-Hans"
    )
    label = models.CharField(
        _("label"),
        max_length=60,
        blank=True,
        help_text=_("Shown in the player; the language name if empty."),
    )
    file = models.FileField(
        _("WebVTT file"),
        storage=video_storage,
        upload_to=caption_path,
        max_length=255,
        validators=[FileExtensionValidator(["vtt"]), validate_webvtt],
    )

    class Meta(Orderable.Meta):
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return self.label or CaptionLanguage(self.language).label
