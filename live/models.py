"""Live classes (直播课堂): a scheduled broadcast to an audience, with presence leases that
attendance is computed from, and the class chat."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LiveClassQuerySet(models.QuerySet):
    def organised_in_scope_of(self, user) -> "LiveClassQuerySet":
        """Classes organised by an agency of the official's region, or below it."""
        from portal.access import region_scope
        from portal.models import Role

        scope = region_scope(user, "organiser__region__path", Role.OFFICIAL, Role.CASEWORKER)
        return self.none() if scope is None else self.filter(scope)


class LiveClass(models.Model):
    """One broadcast. Minors and adults are never in the same class (DESIGN rule 4.2)."""

    class Audience(models.TextChoices):
        ADULTS = "adults", _("adults")
        MINORS = "minors", _("minors")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("live class", "scheduled")
        LIVE = "live", pgettext_lazy("live class", "on air")
        ENDED = "ended", pgettext_lazy("live class", "ended")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=100)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
    )
    organiser = models.ForeignKey(
        "portal.Organisation", on_delete=models.PROTECT, related_name="live_classes"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    regions = models.ManyToManyField(
        "portal.Region",
        blank=True,
        related_name="+",
        verbose_name=_("regions"),
        help_text=_("Empty: the organiser's whole region."),
    )
    levels = models.JSONField(
        _("supervision levels"), default=list, blank=True, help_text=_("Empty: every level.")
    )
    presenters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("presenters")
    )
    attention_every_minutes = models.PositiveSmallIntegerField(
        _("attention check every (minutes)"), default=0, help_text=_("0: no attention checks.")
    )
    attention_answer_seconds = models.PositiveSmallIntegerField(
        _("seconds to answer an attention check"), default=60
    )
    hls_source_url = models.URLField(
        _("external HLS source"), blank=True, help_text=_("For a studio encoder; optional.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # Chat moderation: people who may not write, and the wait between one person's messages.
    muted = models.JSONField(default=list, blank=True)
    slow_mode_seconds = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    replay = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("make-up lesson"),
    )

    objects = LiveClassQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("live class")
        verbose_name_plural = _("live classes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="live_ends_after")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def group(self) -> str:
        """The channel-layer group of the class's sockets."""
        return f"live.{self.key.hex}"


class BroadcastRun(models.Model):
    """One stretch of a presenter's browser broadcast: MediaRecorder chunks in, an HLS event
    playlist out. A reconnect starts a new run; the runs in order are the class's recording."""

    live_class = models.ForeignKey(LiveClass, on_delete=models.CASCADE, related_name="runs")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set once its encoder has stored every segment: the recording is complete.
    flushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.live_class_id} {self.key.hex[:8]}"

    @property
    def folder(self) -> str:
        """Where the run's playlist and segments live in the video store."""
        return f"live/{self.live_class.key.hex}/{self.key.hex}"


class Lease(models.Model):
    """One socket's presence in a class: opened on connect, renewed by its pings (written in
    batches), closed on disconnect or by the sweep. Attendance counts [opened_at, the last
    renewal or the close], so a crash loses at most one renewal interval and never adds."""

    live_class = models.ForeignKey(LiveClass, on_delete=models.CASCADE, related_name="leases")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    renewed_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["live_class", "supervisee"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(renewed_at__gte=F("opened_at")), name="lease_renewed_after_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.live_class_id}:{self.user_id} {self.opened_at:%H:%M:%S}"


class Attendance(models.Model):
    """A supervisee's attendance of a class, recomputed from the leases as the class runs."""

    live_class = models.ForeignKey(LiveClass, on_delete=models.CASCADE, related_name="attendances")
    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.PROTECT, related_name="live_attendances"
    )
    seconds = models.PositiveIntegerField(default=0)
    first_joined = models.DateTimeField(null=True, blank=True)
    last_left = models.DateTimeField(null=True, blank=True)
    messages = models.PositiveIntegerField(default=0)
    poll_answers = models.PositiveIntegerField(default=0)
    attention_asked = models.PositiveIntegerField(default=0)
    attention_answered = models.PositiveIntegerField(default=0)
    credit = models.ForeignKey(
        "courses.HourCredit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["live_class", "supervisee"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.live_class_id}:{self.supervisee_id} {self.seconds}s"

    @property
    def minutes(self) -> int:
        return self.seconds // 60


class ChatMessage(models.Model):
    live_class = models.ForeignKey(LiveClass, on_delete=models.CASCADE, related_name="messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:30]


class Poll(models.Model):
    """A question with choices a presenter puts to the class; results are shown live."""

    live_class = models.ForeignKey(LiveClass, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=200)
    choices = models.JSONField()
    is_open = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.question


class PollAnswer(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="poll_answer_once")]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.user_id}={self.choice}"


class Question(models.Model):
    """A participant's question to the presenters; others upvote it."""

    live_class = models.ForeignKey(LiveClass, on_delete=models.CASCADE, related_name="questions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered = models.BooleanField(default=False)
    voters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:30]


class AttentionCheck(models.Model):
    """A prompt every supervisee present must answer before `closes_at`."""

    live_class = models.ForeignKey(
        LiveClass, on_delete=models.CASCADE, related_name="attention_checks"
    )
    asked_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.live_class_id} {self.asked_at:%H:%M}"


class AttentionAnswer(models.Model):
    attention_check = models.ForeignKey(
        AttentionCheck, on_delete=models.CASCADE, related_name="answers"
    )
    supervisee = models.ForeignKey("portal.Supervisee", on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attention_check", "supervisee"], name="attention_answer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attention_check_id}:{self.supervisee_id}"
