"""The resource directory: providers, bases, openings, referrals and the service hours worked.

Bases and openings follow Open Referral HSDS 3 (organization, service, location, schedule), so
they export and import without loss; see `resources.hsds`.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def operator_organisations(user) -> list[int]:
    """Ids of the base-operator organisations `user` works for."""
    from portal.access import memberships_with_role
    from portal.models import Role

    return [m.organisation_id for m in memberships_with_role(user, Role.BASE_OPERATOR)]


class Provider(models.Model):
    """The public profile of an organisation that runs bases (HSDS organization)."""

    organisation = models.OneToOneField(
        "portal.Organisation",
        on_delete=models.CASCADE,
        related_name="provider",
        verbose_name=_("organisation"),
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.TextField(_("description"))
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.organisation.name


class BaseKind(models.TextChoices):
    EMPLOYMENT = "employment", _("employment base")
    EDUCATION = "education", _("education base")
    WELFARE = "welfare", _("community-service base")
    TRAINING = "training", _("training base")
    COUNSELLING = "counselling", _("counselling base")


class Weekday(models.TextChoices):
    """RFC 5545 day codes, as HSDS schedules use them."""

    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


class BaseQuerySet(models.QuerySet):
    def operated_by(self, user) -> "BaseQuerySet":
        return self.filter(operator_id__in=operator_organisations(user))

    def stale(self, today: datetime.date | None = None) -> "BaseQuerySet":
        """Listings nobody has verified for RESOURCES_STALE_DAYS days."""
        return self.filter(Q(verified_on__isnull=True) | Q(verified_on__lt=stale_before(today)))


def stale_before(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.RESOURCES_STALE_DAYS)


class Base(models.Model):
    """A place that takes people in: a job site, a school, a community-service post (HSDS service
    at a location)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")
        INACTIVE = "inactive", _("inactive")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    operator = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="bases",
        verbose_name=_("operator"),
        limit_choices_to={"kind": "base_operator"},
    )
    name = models.CharField(pgettext_lazy("base", "name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=BaseKind.choices)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("The township or county the base is in."),
    )
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    contact_name = models.CharField(
        _("contact person"),
        max_length=50,
        blank=True,
        help_text=_("Shown to signed-in users only; never exported."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    open_days = models.JSONField(_("open on"), default=list, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_note = models.CharField(_("opening hours note"), max_length=200, blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("How many people the base can take.")
    )
    verified_on = models.DateField(_("last verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BaseQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "name"]
        verbose_name = _("base")
        verbose_name_plural = _("bases")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(maximum_age__gte=F("minimum_age")),
                name="base_age_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="base_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, today: datetime.date | None = None) -> bool:
        return self.verified_on is None or self.verified_on < stale_before(today)

    def admits_age(self, age: int) -> bool:
        return (self.minimum_age is None or age >= self.minimum_age) and (
            self.maximum_age is None or age <= self.maximum_age
        )

    def age_range_display(self) -> str:
        if self.minimum_age is None and self.maximum_age is None:
            return ""
        if self.maximum_age is None:
            return _("%(low)s and over") % {"low": self.minimum_age}
        return f"{self.minimum_age or 0}–{self.maximum_age}"

    def get_open_days_display(self) -> str:
        labels = dict(Weekday.choices)
        return "、".join(str(labels[d]) for d in Weekday.values if d in self.open_days)


class OpeningQuerySet(models.QuerySet):
    def operated_by(self, user) -> "OpeningQuerySet":
        return self.filter(base__operator_id__in=operator_organisations(user))

    def listed(self) -> "OpeningQuerySet":
        """What supervisees and staff are offered: open openings at active bases."""
        return self.filter(status=Opening.Status.OPEN, base__status=Base.Status.ACTIVE)


class Opening(models.Model):
    """A job, a training place or community-service slots a base offers."""

    class Kind(models.TextChoices):
        JOB = "job", _("job")
        TRAINING = "training", _("training place")
        SERVICE = "service", _("community-service slot")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        PAUSED = "paused", _("paused")
        CLOSED = "closed", _("closed")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    base = models.ForeignKey(
        Base, on_delete=models.PROTECT, related_name="openings", verbose_name=_("base")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    skills = models.ManyToManyField("portal.Skill", blank=True, verbose_name=_("skills"))
    slots_total = models.PositiveIntegerField(_("places in total"))
    slots_available = models.PositiveIntegerField(_("places available"))
    pay_min = models.PositiveIntegerField(_("pay from (yuan a month)"), null=True, blank=True)
    pay_max = models.PositiveIntegerField(_("pay up to (yuan a month)"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    schedule = models.CharField(_("working hours"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpeningQuerySet.as_manager()

    class Meta:
        ordering = ["base", "title"]
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        constraints = [
            # The database itself refuses an overbooked opening, whatever the code does.
            models.CheckConstraint(
                condition=Q(slots_available__lte=F("slots_total")), name="opening_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(pay_min__isnull=True)
                | Q(pay_max__isnull=True)
                | Q(pay_max__gte=F("pay_min")),
                name="opening_pay_range",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="opening_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_listed(self) -> bool:
        return self.status == self.Status.OPEN and self.base.status == Base.Status.ACTIVE

    def pay_display(self) -> str:
        if self.pay_min and self.pay_max:
            return _("%(low)s–%(high)s yuan a month") % {"low": self.pay_min, "high": self.pay_max}
        if self.pay_min or self.pay_max:
            return _("%(pay)s yuan a month") % {"pay": self.pay_min or self.pay_max}
        return ""


def held_places(opening: Opening) -> int:
    """Places taken by accepted people; the rest of the total is what is left."""
    return opening.referrals.filter(holds_slot=True).count()


class Status(models.TextChoices):
    """Where a referral stands. The Chinese labels are the ones used across the justice system."""

    REQUESTED = "requested", pgettext_lazy("referral", "awaiting approval")
    SENT = "sent", pgettext_lazy("referral", "referred")
    RECEIVED = "received", pgettext_lazy("referral", "received")
    ACCEPTED = "accepted", pgettext_lazy("referral", "accepted")
    DECLINED = "declined", pgettext_lazy("referral", "declined")
    STARTED = "started", pgettext_lazy("referral", "started")
    COMPLETED = "completed", pgettext_lazy("referral", "completed")
    ENDED = "ended", pgettext_lazy("referral", "ended early")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral", "withdrawn")
    RETURNED = "returned", pgettext_lazy("referral", "returned")


OPEN_STATUSES = (Status.REQUESTED, Status.SENT, Status.RECEIVED, Status.ACCEPTED, Status.STARTED)
AWAITING_REPLY = (Status.SENT, Status.RECEIVED)


class ReferralQuerySet(models.QuerySet):
    def in_scope_of(self, user) -> "ReferralQuerySet":
        """Referrals `user` may see: staff for people in their scope, operators for their own
        bases once sent, supervisees their own."""
        from portal.access import is_supervisee
        from portal.models import Supervisee

        scope = Q(supervisee__in=Supervisee.objects.in_scope_of(user).values("pk"))
        if operator_organisations(user):
            scope |= self._sent_to(user)
        if is_supervisee(user):
            scope |= Q(supervisee_id=user.supervisee.pk)
        return self.filter(scope)

    def for_operator(self, user) -> "ReferralQuerySet":
        return self.filter(self._sent_to(user))

    @staticmethod
    def _sent_to(user) -> Q:
        """Referrals to the operator's bases, from the moment one was sent: a request the
        caseworker never approved is no business of the base."""
        return Q(opening__base__operator_id__in=operator_organisations(user), sent_at__isnull=False)

    def overdue(self, now: datetime.datetime | None = None) -> "ReferralQuerySet":
        """Sent to a base that has not answered by the response deadline."""
        return self.filter(status__in=AWAITING_REPLY, respond_by__lt=now or timezone.now())


class Referral(models.Model):
    """A person sent to an opening, followed until it closes (the closed loop)."""

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.PROTECT, related_name="referrals"
    )
    opening = models.ForeignKey(
        Opening, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("opening")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    note = models.TextField(
        _("note to the base"),
        blank=True,
        help_text=_("Seen by the base. Never write offence details or anything about a minor."),
    )
    requested_by_supervisee = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("referred"), null=True, blank=True)
    respond_by = models.DateTimeField(_("answer due"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    # True from acceptance until the place is given back, so a slot is never returned twice.
    holds_slot = models.BooleanField(default=False, editable=False)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["supervisee", "opening"],
                condition=Q(status__in=OPEN_STATUSES),
                name="referral_one_open_per_opening",
            )
        ]
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return f"{self.supervisee_id} → {self.opening_id}: {self.status}"

    @property
    def awaiting_reply(self) -> bool:
        return self.status in AWAITING_REPLY

    @property
    def is_overdue(self) -> bool:
        return (
            self.awaiting_reply and self.respond_by is not None and self.respond_by < timezone.now()
        )


class ReferralEvent(models.Model):
    """One step of a referral: who moved it, when, and why. Never edited."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status or '-'} → {self.to_status}"


class ServiceLog(models.Model):
    """Community-service time a base reports; it counts once the caseworker approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("not approved")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="service_logs")
    day = models.DateField(_("date worked"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    note = models.CharField(_("work done"), max_length=200)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("service hours log")
        verbose_name_plural = _("service hours logs")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=720), name="service_log_minutes"
            ),
            models.UniqueConstraint(fields=["referral", "day"], name="service_log_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.day}: {self.minutes} min"
