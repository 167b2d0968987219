import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.idnumbers import birth_date_from_id_number, validate_id_number

from .organisations import Membership, Organisation, Role
from .regions import Region


def private_storage():
    """The store for person files; never served directly, only through scoped views (rule 8).

    A callable, so migrations record a reference rather than this machine's paths.
    """
    return storages["private"]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class SentenceType(models.TextChoices):
    PROBATION = "probation", _("probation")
    PAROLE = "parole", _("parole")
    MEDICAL_PAROLE = "medical_parole", _("temporary service outside prison")
    CONTROL = "control", _("public surveillance")


class SupervisionLevel(models.TextChoices):
    STRICT = "strict", _("strict")
    STANDARD = "standard", _("standard")
    LENIENT = "lenient", _("lenient")


class OffenceCategory(models.TextChoices):
    DANGEROUS_DRIVING = "dangerous_driving", _("dangerous driving")
    THEFT = "theft", _("theft")
    FRAUD = "fraud", _("fraud")
    ASSAULT = "assault", _("intentional injury")
    TRAFFIC = "traffic", _("traffic accident")
    DUTY = "duty", _("duty-related crime")
    DRUGS = "drugs", _("drug-related crime")
    GAMBLING = "gambling", _("gambling")
    OTHER = "other", _("other")


class Need(models.TextChoices):
    EMPLOYMENT = "employment", _("employment")
    EDUCATION = "education", _("schooling and training")
    WELFARE = "welfare", _("social assistance")
    HOUSING = "housing", _("housing")
    COUNSELLING = "counselling", _("psychological counselling")
    FAMILY = "family", _("family relations")
    LEGAL_AID = "legal_aid", _("legal aid")


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


# Scope other apps give a role (role -> function of the user returning a condition on
# supervisees); the volunteers app adds mentors' paired supervisees.
SCOPE_RULES: dict[str, Callable[..., Q | Exists]] = {}


def register_scope_rule(role: str, rule: Callable[..., Q | Exists]) -> None:
    SCOPE_RULES[role] = rule


class SuperviseeQuerySet(models.QuerySet):
    def active(self) -> "SuperviseeQuerySet":
        return self.filter(status=Supervisee.Status.ACTIVE)

    def in_scope_of(self, user) -> "SuperviseeQuerySet":
        """Supervisees whose records `user` may see (DESIGN.md rule 4.1).

        Officials see their organisation's region subtree, caseworkers their own office (or, for
        an agency's caseworkers, the offices under it), social workers their active caseload,
        mentors the people they are paired with (an active pairing).
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = Q(pk__in=[])
        for membership in user_memberships(user):
            org = membership.organisation
            if membership.role == Role.OFFICIAL:
                scope |= Q(judicial_office__region__path__startswith=org.region.path)
            elif membership.role == Role.CASEWORKER:
                scope |= Q(judicial_office=org) | Q(judicial_office__parent=org)
            elif membership.role == Role.SOCIAL_WORKER:
                scope |= self._on_caseload(user)
            elif membership.role in SCOPE_RULES:
                scope |= SCOPE_RULES[membership.role](user)
        return self.filter(scope)

    def on_caseload_of(self, user) -> "SuperviseeQuerySet":
        """People currently on `user`'s social-work caseload."""
        return self.filter(self._on_caseload(user))

    @staticmethod
    def _on_caseload(user) -> Exists:
        return Exists(
            CaseloadAssignment.objects.current().filter(
                supervisee=OuterRef("pk"), social_worker=user
            )
        )


def user_memberships(user) -> list[Membership]:
    """Active memberships of `user`, loaded once per user object."""
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("organisation__region", "organisation__parent")
        )
        user._portal_memberships = cached
    return cached


class Supervisee(models.Model):
    """A person under community corrections supervision (社区矫正对象)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("under supervision")
        RELEASED = "released", _("released")
        TERMINATED = "terminated", _("terminated")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisee",
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(
        _("ID number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    judicial_office = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="supervisees",
        verbose_name=_("judicial office"),
        limit_choices_to={"kind": Organisation.Kind.JUDICIAL_OFFICE},
    )
    home_township = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home township"),
        help_text=_("Township or street only; the platform never stores a precise address."),
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )
    school = models.CharField(_("school"), max_length=100, blank=True)
    photo = models.ImageField(
        _("photo"), storage=private_storage, upload_to="supervisees/photos/", blank=True
    )
    sentence_type = models.CharField(
        _("sentence type"), max_length=20, choices=SentenceType.choices
    )
    supervision_level = models.CharField(
        _("supervision level"),
        max_length=10,
        choices=SupervisionLevel.choices,
        default=SupervisionLevel.STANDARD,
    )
    offence_category = models.CharField(
        _("offence category"), max_length=30, choices=OffenceCategory.choices
    )
    supervision_start = models.DateField(_("supervision start"))
    planned_end = models.DateField(_("planned end of supervision"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Fixed from the birth date at the start of supervision and kept for its whole length.
    is_minor = models.BooleanField(_("minor"), default=False, editable=False)
    skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("skills"))
    needs = models.JSONField(_("needs"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SuperviseeQuerySet.as_manager()

    class Meta:
        ordering = ["judicial_office__name", "name", "pk"]
        verbose_name = _("supervisee")
        verbose_name_plural = _("supervisees")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gt=models.F("supervision_start")),
                name="supervisee_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.birth_date and self.supervision_start:
            self.is_minor = age_on(self.birth_date, self.supervision_start) < 18
        super().save(*args, **kwargs)

    @property
    def agency(self) -> Organisation | None:
        """The county agency responsible for this person."""
        return self.judicial_office.parent

    def clean(self) -> None:
        errors: dict[str, list] = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors.setdefault("birth_date", []).append(_("The birth date cannot be in the future."))
        if self.birth_date and self.id_number:
            embedded = birth_date_from_id_number(self.id_number)
            if embedded and embedded != self.birth_date:
                errors.setdefault("birth_date", []).append(
                    _("The birth date does not match the ID number (%(date)s).")
                    % {"date": embedded.isoformat()}
                )
        if (
            self.supervision_start
            and self.planned_end
            and self.planned_end <= self.supervision_start
        ):
            errors.setdefault("planned_end", []).append(
                _("The planned end must be after the start of supervision.")
            )
        if self.birth_date and self.supervision_start and self.supervision_start < self.birth_date:
            errors.setdefault("supervision_start", []).append(
                _("Supervision cannot start before the birth date.")
            )
        if self.judicial_office_id and (
            self.judicial_office.kind != Organisation.Kind.JUDICIAL_OFFICE
        ):
            errors.setdefault("judicial_office", []).append(_("Choose a judicial office."))
        if self.home_township_id and self.home_township.level != Region.Level.TOWNSHIP:
            errors.setdefault("home_township", []).append(_("Choose a township or street."))
        unknown_needs = set(self.needs or []) - set(Need.values)
        if unknown_needs:
            errors.setdefault("needs", []).append(_("Unknown need."))
        if self.status != self.Status.ACTIVE and not self.ended_on:
            errors.setdefault("ended_on", []).append(
                _("Give the date supervision ended for a released or terminated person.")
            )
        if errors:
            raise ValidationError(errors)

    def age(self, on: datetime.date | None = None) -> int:
        return age_on(self.birth_date, on or timezone.localdate())

    def get_needs_display(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels[n]) for n in self.needs if n in labels]


class SupervisionLevelChange(models.Model):
    """One change of supervision level, with who made it and why. Never edited."""

    supervisee = models.ForeignKey(
        Supervisee, on_delete=models.CASCADE, related_name="level_changes"
    )
    from_level = models.CharField(max_length=10, choices=SupervisionLevel.choices, blank=True)
    to_level = models.CharField(max_length=10, choices=SupervisionLevel.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("supervision level change")
        verbose_name_plural = _("supervision level changes")

    def __str__(self) -> str:
        return f"{self.supervisee_id}: {self.from_level or '-'} -> {self.to_level}"


class Violation(models.Model):
    """A breach of the supervision rules and the measure it drew. Never edited: a measure
    revoked on review is recorded with its own entry."""

    class Measure(models.TextChoices):
        ADMONITION = "admonition", _("admonition (训诫)")
        WARNING = "warning", _("warning (警告)")
        POLICE_PENALTY = "police", _("public security penalty (治安管理处罚)")
        REVOCATION = "revocation", _("revocation proposed (提请撤销缓刑、假释或收监执行)")

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="violations")
    occurred_on = models.DateField(_("date"))
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    description = models.TextField(_("what happened"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")

    def __str__(self) -> str:
        return f"{self.supervisee_id}: {self.measure} {self.occurred_on}"


class CorrectionTeamMember(models.Model):
    """A member of the person's correction team (矫正小组)."""

    class Kind(models.TextChoices):
        OFFICE_STAFF = "office_staff", _("judicial office staff")
        SOCIAL_WORKER = "social_worker", _("social worker")
        VOLUNTEER = "volunteer", _("volunteer")
        FAMILY = "family", _("family member")
        COMMUNITY = "community", _("village or residents' committee")
        EMPLOYER = "employer", _("employer")
        SCHOOL = "school", _("school")

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="team")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("correction team member")
        verbose_name_plural = _("correction team members")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class CaseloadAssignmentQuerySet(models.QuerySet):
    def current(self) -> "CaseloadAssignmentQuerySet":
        return self.filter(ended_at__isnull=True)


class CaseloadAssignment(models.Model):
    """A supervisee on a social worker's caseload."""

    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caseload"
    )
    supervisee = models.ForeignKey(
        Supervisee, on_delete=models.CASCADE, related_name="caseload_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CaseloadAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("caseload assignment")
        verbose_name_plural = _("caseload assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["social_worker", "supervisee"],
                condition=Q(ended_at__isnull=True),
                name="caseload_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.social_worker_id} -> {self.supervisee_id}"
