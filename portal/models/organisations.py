from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does on the platform (DESIGN.md section 1)."""

    SUPERVISEE = "supervisee", _("supervisee")
    CASEWORKER = "caseworker", _("caseworker")
    OFFICIAL = "official", _("official")
    SOCIAL_WORKER = "social_worker", _("social worker")
    MENTOR = "mentor", _("mentor")
    BASE_OPERATOR = "base_operator", _("base operator")
    EDITOR = "editor", _("editor")
    AUDITOR = "auditor", _("auditor")


# Roles held by agency staff: they must enrol a second factor and get the short idle timeout.
STAFF_ROLES = frozenset(
    {Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER, Role.EDITOR, Role.AUDITOR}
)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("community corrections agency")
        JUDICIAL_OFFICE = "judicial_office", _("judicial office")
        SOCIAL_WORK = "social_work", _("social-work organisation")
        VOLUNTEER_GROUP = "volunteer_group", _("volunteer group")
        BASE_OPERATOR = "base_operator", _("base operator")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "portal.Region", on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("For a judicial office: the county agency it reports to."),
    )

    class Meta:
        ordering = ["region__path", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="organisation_name_region")
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(status=Membership.Status.ACTIVE)

    def users_in(self, organisation_id: int, role: str) -> list:
        """The users holding `role` in the organisation now."""
        memberships = self.active().filter(role=role, organisation_id=organisation_id)
        return [m.user for m in memberships.select_related("user")]


class Membership(models.Model):
    """A role a user holds in an organisation. A user may hold several."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        ACTIVE = "active", _("active")
        REJECTED = "rejected", _("rejected")
        ENDED = "ended", _("ended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=[c for c in Role.choices if c[0] != Role.SUPERVISEE]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
