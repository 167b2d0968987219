from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. What it may do comes from its memberships and, for supervisees, its record."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stored in international form, e.g. +8613800000000."),
    )
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    must_change_password = models.BooleanField(
        _("must change password at next sign-in"), default=False
    )
    # Raised on logout; every session remembers the value it started with and ends when the
    # two differ, so one logout ends the user's sessions on every device.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def end_all_sessions(self) -> None:
        """Invalidate every session this user holds, on any device."""
        User.objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])
