"""Mentors (five-elders volunteers and others), their pairings with supervisees, the
mentoring sessions they log, and the assistance (帮扶) social workers, volunteers and
caseworkers give. The mentoring stages follow the MENTOR Elements of Effective Practice:
recruitment and screening (the profile), matching and initiating (a proposed, then active
pairing), monitoring (sessions) and closure."""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.people import Need, private_storage


class ElderKind(models.TextChoices):
    PARTY_VETERAN = "party_veteran", _("veteran Party member")
    RETIRED_OFFICIAL = "retired_official", _("retired official")
    VILLAGE_WORTHY = "village_worthy", _("respected local figure")
    RETIRED_TEACHER = "retired_teacher", _("retired teacher")
    MODEL_WORKER = "model_worker", _("model worker")
    OTHER = "other", _("other volunteer")


class MentorProfile(models.Model):
    """What the agency knows of a volunteer mentor. Whether the volunteer is approved is the
    status of their membership of a volunteer group, decided by an official."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    elder_kind = models.CharField(_("kind"), max_length=20, choices=ElderKind.choices)
    skills = models.ManyToManyField("portal.Skill", blank=True, verbose_name=_("skills"))
    helps_with = models.JSONField(
        _("can help with"), default=list, blank=True, help_text=_("Needs of a mentee.")
    )
    languages = models.CharField(
        _("languages and dialects"), max_length=100, blank=True, help_text=_("e.g. 普通话、枣庄话")
    )
    regions = models.ManyToManyField(
        "portal.Region", blank=True, related_name="+", verbose_name=_("areas served")
    )
    capacity = models.PositiveSmallIntegerField(
        _("mentees at most"), default=2, help_text=_("How many people at once.")
    )
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    background_check_on = models.DateField(_("background check"), null=True, blank=True)
    background_check_passed = models.BooleanField(
        _("background check passed"), null=True, blank=True
    )
    trained_on = models.DateField(_("training completed"), null=True, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")

    def __str__(self) -> str:
        return str(self.user)

    def get_helps_with_display(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels[need]) for need in self.helps_with if need in labels]

    @property
    def is_screened(self) -> bool:
        """Background check passed, training done and agreement signed: fit to mentor a minor."""
        return bool(self.background_check_passed and self.trained_on and self.agreement_signed_on)


class VolunteerTime(models.Model):
    """Time given to a person on a day, with a follow-up. A volunteer's or social worker's is
    counted as volunteer hours once the agency approved it; a caseworker's is their job."""

    class HoursStatus(models.TextChoices):
        NOT_COUNTED = "none", _("not volunteer time")
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", pgettext_lazy("hours", "approved")
        REJECTED = "rejected", pgettext_lazy("hours", "not approved")

    held_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    follow_up = models.CharField(_("follow-up action"), max_length=200, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done"), null=True, blank=True)
    hours_status = models.CharField(
        _("hours"), max_length=8, choices=HoursStatus.choices, default=HoursStatus.PENDING
    )
    hours_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hours_decided_at = models.DateTimeField(null=True, blank=True)
    hours_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def checks(prefix: str, most_minutes: int) -> list[models.CheckConstraint]:
        """Minutes within 1..most_minutes; a follow-up not due before the day itself."""
        return [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=most_minutes), name=f"{prefix}_minutes"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_due__isnull=True) | Q(follow_up_due__gte=F("held_on")),
                name=f"{prefix}_follow_up_after",
            ),
        ]


class PairingQuerySet(models.QuerySet):
    def current(self) -> "PairingQuerySet":
        return self.filter(status__in=(Pairing.Status.PROPOSED, Pairing.Status.ACTIVE))

    def active(self) -> "PairingQuerySet":
        return self.filter(status=Pairing.Status.ACTIVE)


class Pairing(models.Model):
    """A mentor and a supervisee: proposed, active under an agreement, then closed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("pairing", "proposed")
        ACTIVE = "active", pgettext_lazy("pairing", "active")
        CLOSED = "closed", pgettext_lazy("pairing", "closed")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        FORTNIGHTLY = "fortnightly", _("every two weeks")
        MONTHLY = "monthly", _("monthly")

    class Closure(models.TextChoices):
        PLANNED = "planned", _("as planned")
        EARLY = "early", _("early")

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("mentor"),
    )
    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.PROTECT, related_name="pairings"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    # A minor's pairing needs the responsible agency's approval before it can start.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    frequency = models.CharField(
        _("planned frequency"), max_length=12, choices=Frequency.choices, blank=True
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure = models.CharField(_("closure"), max_length=8, choices=Closure.choices, blank=True)
    closure_reason = models.TextField(_("reason for closing"), blank=True)
    exit_notes = models.TextField(_("exit notes"), blank=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "supervisee"],
                condition=Q(status__in=("proposed", "active")),
                name="pairing_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} ↔ {self.supervisee_id}: {self.status}"


class MentoringSession(VolunteerTime):
    """One meeting or call of a pairing, logged by the mentor."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", pgettext_lazy("contact mode", "in person")
        PHONE = "phone", pgettext_lazy("contact mode", "phone")
        VIDEO = "video", pgettext_lazy("contact mode", "video")

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="sessions")
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices)
    topic = models.CharField(_("topic and goals"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    mentor_feedback = models.CharField(_("mentor's feedback"), max_length=300, blank=True)
    mentee_feedback = models.CharField(_("mentee's feedback"), max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = VolunteerTime.checks("session", 480)

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.held_on}"

    @property
    def volunteer_id(self) -> int:
        return self.logged_by_id


class AssistanceLog(VolunteerTime):
    """One piece of help (帮扶) given to a supervisee, by a social worker, a mentor or the
    caseworker."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", pgettext_lazy("assistance", "employment")
        SCHOOLING = "schooling", pgettext_lazy("assistance", "schooling")
        DIBAO = "dibao", _("minimum living allowance (低保)")
        RELIEF = "relief", _("temporary relief (临时救助)")
        MEDICAL = "medical", _("medical insurance (医保)")
        HOUSING = "housing", pgettext_lazy("assistance", "housing")
        COUNSELLING = "counselling", pgettext_lazy("assistance", "counselling")
        FAMILY = "family", pgettext_lazy("assistance", "family")
        LEGAL_AID = "legal_aid", pgettext_lazy("assistance", "legal aid")
        OTHER = "other", pgettext_lazy("assistance", "other")

    supervisee = models.ForeignKey(
        "portal.Supervisee", on_delete=models.PROTECT, related_name="assistance_logs"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assistance_logs"
    )
    kind = models.CharField(_("kind of help"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("what was done"), max_length=2000)
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("assistance log")
        verbose_name_plural = _("assistance logs")
        constraints = VolunteerTime.checks("assistance", 720)

    def __str__(self) -> str:
        return f"{self.supervisee_id} {self.kind} {self.held_on}"

    @property
    def volunteer_id(self) -> int:
        return self.author_id


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    # A random name: the stored path reveals neither the person nor the original file name.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"assistance/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """A document or photo kept with an assistance log, in private storage (DESIGN.md rule 8)."""

    log = models.ForeignKey(AssistanceLog, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=_attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


@receiver(post_delete, sender=Attachment)
def _delete_file(sender, instance: Attachment, **kwargs) -> None:
    """A deleted attachment takes its file along, once the deletion is committed."""
    storage, name = instance.file.storage, instance.file.name
    transaction.on_commit(lambda: storage.delete(name))
