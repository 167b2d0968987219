"""What each supervisee has watched, answered, written and completed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LessonProgress(models.Model):
    """Unique seconds watched of one lesson, merged from the player's reports (rule 4.6)."""

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="progress"
    )
    # Merged [start, end] pairs in seconds; `covered_seconds` is their total length.
    intervals = models.JSONField(default=list)
    covered_seconds = models.FloatField(_("seconds watched"), default=0)
    position = models.FloatField(_("resume position"), default=0)
    # The page view (signed watch token) currently reporting, when it was served, and its last
    # sequence number.
    device = models.CharField(max_length=32, blank=True)
    device_served_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    last_report_at = models.DateTimeField(null=True, blank=True)
    rejected_reports = models.PositiveIntegerField(_("rejected reports"), default=0)
    last_rejection = models.CharField(max_length=20, blank=True)
    quiz_passed = models.BooleanField(_("quiz passed"), default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["supervisee", "lesson"], name="progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.supervisee_id}/{self.lesson_id}: {self.covered_seconds:.0f}s"

    @property
    def furthest(self) -> float:
        """End of the watched stretch that starts at the beginning (seeking stops here)."""
        if self.intervals and self.intervals[0][0] <= 1:
            return self.intervals[0][1]
        return 0.0


class QuizAttempt(models.Model):
    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    answers = models.JSONField(default=list)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    def __str__(self) -> str:
        return f"{self.supervisee_id}/{self.lesson_id}: {self.score}%"


class ReflectionQuerySet(models.QuerySet):
    def unreviewed(self) -> "ReflectionQuerySet":
        return self.filter(reviewed_at__isnull=True)


class Reflection(models.Model):
    """A reflection (观后感言) written after a lesson, reviewed by a caseworker."""

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, related_name="reflections"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="reflections"
    )
    text = models.TextField(_("reflection"), max_length=5000)
    submitted_at = models.DateTimeField(_("submitted"), auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("caseworker's comment"), blank=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(fields=["supervisee", "lesson"], name="reflection_once")
        ]

    def __str__(self) -> str:
        return f"{self.supervisee_id}/{self.lesson_id}"


class CourseCompletion(models.Model):
    """A course finished by a supervisee; the first lesson's completion opens the platform."""

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, related_name="course_completions"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="completions"
    )
    completed_at = models.DateTimeField(_("completed"))
    certificate_number = models.CharField(_("certificate number"), max_length=32, unique=True)

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        constraints = [
            models.UniqueConstraint(fields=["supervisee", "course"], name="completion_once")
        ]

    def __str__(self) -> str:
        return self.certificate_number
