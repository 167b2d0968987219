"""Group classes (集中教育): sessions, check-ins and the roster."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupSessionQuerySet(models.QuerySet):
    def in_scope_of(self, user) -> "GroupSessionQuerySet":
        """Sessions run by an organisation `user` works for, or one below it."""
        from portal.access import region_scope
        from portal.models import Role

        scope = region_scope(user, "organiser__region__path", Role.CASEWORKER, Role.OFFICIAL)
        return self.none() if scope is None else self.filter(scope)


class GroupSession(models.Model):
    """One group class. Minors and adults are never in the same session (rule 4.2)."""

    class Audience(models.TextChoices):
        ADULTS = "adults", _("adults")
        MINORS = "minors", _("minors")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CLOSED = "closed", _("closed")

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
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="group_sessions",
        verbose_name=_("organiser"),
    )
    venue = models.CharField(_("venue"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    credited_minutes = models.PositiveSmallIntegerField(_("credited minutes"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("group class")
        verbose_name_plural = _("group classes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="group_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def for_minors(self) -> bool:
        return self.audience == self.Audience.MINORS

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SCHEDULED


class GroupAttendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        LATE = "late", _("late")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    class Via(models.TextChoices):
        QR = "qr", _("QR check-in")
        ROSTER = "roster", _("marked by caseworker")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, related_name="group_attendance"
    )
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    via = models.CharField(_("recorded by"), max_length=8, choices=Via.choices)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    device = models.CharField(max_length=32, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Set when the same network address checked in other people shortly before.
    flag = models.CharField(_("flag"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "supervisee__name"]
        verbose_name = _("group class attendance")
        verbose_name_plural = _("group class attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "supervisee"], name="attend_once"),
            models.UniqueConstraint(
                fields=["session", "device"],
                condition=~models.Q(device=""),
                name="one_person_per_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.supervisee_id}: {self.status}"

    @property
    def earns_credit(self) -> bool:
        """Present or late: closing the class credits these."""
        return self.status in (self.Status.PRESENT, self.Status.LATE)
