import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised when code tries to edit or delete audit history."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only; use portal.audit.prune()")


class AuditEntry(models.Model):
    """One access to or change of personal data. Rows are chained by hash, never edited."""

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        LIST = "list", _("list")
        EXPORT = "export", _("export")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        LOGIN = "login", _("sign in")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOGOUT = "logout", _("sign out")
        APPROVE = "approve", _("approve")

    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(_("time"), db_index=True)
    # Plain values rather than foreign keys: deleting a user must never rewrite history.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
                self.seq,
                self.at.isoformat(timespec="microseconds"),
                self.actor_id,
                self.actor_username,
                self.role,
                self.action,
                self.object_type,
                self.object_id,
                self.ip,
                self.reason,
                self.detail,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256((self.prev_hash + payload).encode()).hexdigest()


class AuditChain(models.Model):
    """The head of the hash chain (one row). Locking it serialises audit writes.

    `anchor_*` record the last entry removed by retention pruning, so the remaining chain still
    verifies from a known point.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.last_seq}:{self.last_hash[:12]}"
