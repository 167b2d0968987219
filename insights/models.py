"""Opportunity rules (data, not code) and the log of what caseworkers did with each one."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.people import SupervisionLevel


class OpportunityRule(models.Model):
    """One kind of opportunity with its thresholds, e.g. "six months at standard level with full
    compliance and no violations may move to lenient"."""

    class Kind(models.TextChoices):
        LIGHTER_LEVEL = "lighter_level", _("may qualify for a lighter supervision level")
        NEAR_RELEASE = "near_release", _("near the end of supervision")
        CHRONIC_SHORTFALL = "shortfall", _("short of hours month after month")
        OVERDUE_REFERRAL = "overdue_referral", _("referral not answered in time")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("region"),
        help_text=_("Leave empty for a rule that applies everywhere."),
    )
    from_level = models.CharField(
        _("from level"), max_length=10, choices=SupervisionLevel.choices, blank=True
    )
    to_level = models.CharField(
        _("to level"), max_length=10, choices=SupervisionLevel.choices, blank=True
    )
    months = models.PositiveSmallIntegerField(
        _("months"),
        default=0,
        help_text=_(
            "Lighter level: months at the current level, each fully compliant. "
            "Hours: consecutive complete months short of the requirement."
        ),
    )
    days = models.PositiveSmallIntegerField(
        _("days"),
        default=0,
        help_text=_(
            "End of supervision: days before the planned end. "
            "Referrals: days past the answer deadline."
        ),
    )
    require_no_violations = models.BooleanField(_("no violations in the period"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("opportunity rule")
        verbose_name_plural = _("opportunity rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.LIGHTER_LEVEL:
            order = [value for value, _label in SupervisionLevel.choices]  # strict first
            if not (self.from_level and self.to_level):
                raise ValidationError(_("A lighter-level rule needs both levels."))
            if order.index(self.to_level) <= order.index(self.from_level):
                raise ValidationError({"to_level": _("The new level must be lighter.")})
        if self.kind in (self.Kind.LIGHTER_LEVEL, self.Kind.CHRONIC_SHORTFALL) and not self.months:
            raise ValidationError({"months": _("Give the number of months.")})
        if self.kind == self.Kind.NEAR_RELEASE and not self.days:
            raise ValidationError({"days": _("Give the number of days.")})


class OpportunityDecision(models.Model):
    """A caseworker acted on an opportunity or dismissed it. Never edited.

    `key` names the facts the opportunity stood on (the rule, the person and e.g. the date the
    current level began), so a dismissal lasts until those facts change."""

    class Action(models.TextChoices):
        ACTED = "acted", _("acted on")
        DISMISSED = "dismissed", _("dismissed")

    class Reason(models.TextChoices):
        HANDLED = "handled", _("already being handled")
        DATA_WRONG = "data_wrong", _("the records are wrong or incomplete")
        NOT_SUITABLE = "not_suitable", _("not suitable in the caseworker's assessment")
        OTHER = "other", _("other (explain)")

    rule = models.ForeignKey(OpportunityRule, on_delete=models.PROTECT, related_name="decisions")
    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.CASCADE, related_name="opportunity_decisions"
    )
    key = models.CharField(max_length=120, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=14, choices=Reason.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("opportunity decision")
        verbose_name_plural = _("opportunity decisions")

    def __str__(self) -> str:
        return f"{self.key}: {self.action}"
