"""The hour ledger (rule 4.5) and the monthly hour requirements (rule 4.4)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models.people import SupervisionLevel


class AppendOnlyError(Exception):
    """Raised when code tries to edit or delete a ledger entry."""


class Source(models.TextChoices):
    VIDEO = "video", _("video lesson")
    LIVE = "live", _("live class")
    GROUP = "group", _("group class")
    SERVICE = "service", _("community service")


STUDY_SOURCES = (Source.VIDEO, Source.LIVE, Source.GROUP)


class HourCreditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("hour credits are append-only; add a reversing entry")

    def delete(self):
        raise AppendOnlyError("hour credits are append-only; add a reversing entry")

    def study(self) -> "HourCreditQuerySet":
        return self.filter(source__in=STUDY_SOURCES)

    def service(self) -> "HourCreditQuerySet":
        return self.filter(source=Source.SERVICE)


class HourCredit(models.Model):
    """One credit of study or service minutes. Never edited: a correction is a reversal."""

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.PROTECT, related_name="hour_credits"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    minutes = models.IntegerField(_("minutes"))
    month = models.DateField(_("month"), help_text=_("First day of the month credited."))
    # The same event always produces the same key, so crediting twice is impossible.
    key = models.CharField(max_length=120, unique=True)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.CharField(max_length=40, blank=True)
    source_record = GenericForeignKey("source_type", "source_id")
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = HourCreditQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("hour credit")
        verbose_name_plural = _("hour credits")
        indexes = [models.Index(fields=["supervisee", "month"])]
        constraints = [models.CheckConstraint(condition=~Q(minutes=0), name="credit_not_zero")]

    def __str__(self) -> str:
        return f"{self.key}: {self.minutes:+d} min"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("hour credits are append-only; add a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("hour credits are append-only; add a reversing entry")

    @property
    def is_study(self) -> bool:
        return self.source in STUDY_SOURCES


class HourRequirement(models.Model):
    """Monthly minutes required for one supervision level in a region (blank = national)."""

    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Leave empty for the national default."),
    )
    level = models.CharField(
        _("supervision level"), max_length=10, choices=SupervisionLevel.choices
    )
    study_minutes = models.PositiveIntegerField(_("study minutes per month"))
    service_minutes = models.PositiveIntegerField(_("service minutes per month"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region__path", "level"]
        verbose_name = _("hour requirement")
        verbose_name_plural = _("hour requirements")
        constraints = [
            models.UniqueConstraint(fields=["region", "level"], name="requirement_once"),
            models.UniqueConstraint(
                fields=["level"], condition=Q(region__isnull=True), name="national_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or '-'} {self.level}"


class ServiceRecord(models.Model):
    """Community service (公益活动) done and recorded by the caseworker; it feeds the ledger."""

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.PROTECT, related_name="service_records"
    )
    day = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    activity = models.CharField(_("activity"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("community service record")
        verbose_name_plural = _("community service records")

    def __str__(self) -> str:
        return f"{self.day} {self.activity} ({self.minutes} min)"
