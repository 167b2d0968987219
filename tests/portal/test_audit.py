"""The audit log: every view of personal data is recorded; tampering breaks the chain."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal import audit
from portal.models import AuditEntry
from portal.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db


def test_viewing_a_supervisee_writes_an_entry(world, client_for):
    client = client_for(world.official)  # signing in writes its own "login" entry
    before = AuditEntry.objects.count()
    client.get(reverse("supervisee_detail", args=[world.adult.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.filter(action="view").latest("seq")
    assert AuditEntry.objects.count() == before + 1
    assert entry.actor_username == "official"
    assert entry.role == "official"
    assert entry.object_type == "portal.supervisee"
    assert entry.object_id == str(world.adult.pk)
    assert entry.ip == "10.1.2.3"


def test_api_view_list_and_export_are_audited(world, client_for):
    client = client_for(world.official)
    client.get(f"/api/v1/supervisees/{world.adult.pk}")
    client.get("/api/v1/supervisees")
    client.get(reverse("supervisee_export", args=["csv"]))
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["view", "list", "export"]
    export = AuditEntry.objects.latest("seq")
    assert sorted(export.detail["ids"]) == sorted(
        [world.adult.pk, world.minor.pk, world.kuangqu_person.pk]
    )


def test_chain_verifies_and_detects_an_altered_row(world):
    for _ in range(5):
        audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    assert audit.verify_chain().ok
    victim = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET actor_username = %s WHERE seq = %s",  # noqa: S608
            ["someone_else", victim.seq],
        )
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at == victim.seq


def test_chain_detects_a_deleted_row_and_a_truncated_tail(world):
    for _ in range(4):
        audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    table = AuditEntry._meta.db_table
    last = AuditEntry.objects.order_by("-seq").first().seq
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq = %s", [last])  # noqa: S608
    assert not audit.verify_chain().ok


def test_orm_refuses_edits_and_deletes(world):
    entry = audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_prune_keeps_the_minimum_retention_and_a_verifiable_chain(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30  # below the legal minimum: 180 days still apply
    now = timezone.now()
    old = audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    assert audit.prune(now + datetime.timedelta(days=100)) == 0
    removed = audit.prune(now + datetime.timedelta(days=181))
    assert removed >= 2
    assert not AuditEntry.objects.filter(seq=old.seq).exists()
    audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    assert audit.verify_chain().ok


def test_retention_below_minimum_is_a_system_check_error(settings):
    from portal.checks import audit_retention_check

    settings.AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in audit_retention_check(None)] == ["portal.E001"]
    settings.AUDIT_RETENTION_DAYS = 365
    assert audit_retention_check(None) == []


def test_audit_pages_are_for_auditors_only(world, client_for):
    audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    assert client_for(world.official).get(reverse("audit_list")).status_code == 403
    page = client_for(world.auditor).get(reverse("audit_list"), {"actor": "official"})
    assert page.status_code == 200
    assert "official" in page.content.decode()
    export = client_for(world.auditor).get(reverse("audit_export"), {"action": "view"})
    assert export.status_code == 200
    rows = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) >= 2
    assert all(",portal.supervisee," in row for row in rows[1:])


def test_client_address_honours_trusted_proxy_count(world, client_for, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client_for(world.official).get(
        reverse("supervisee_detail", args=[world.adult.pk]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    assert AuditEntry.objects.filter(action="view").latest("seq").ip == "198.51.100.7"


def test_verify_command_fails_on_a_broken_chain(world):
    from django.core.management import CommandError, call_command

    audit.record(None, audit.Action.VIEW, world.adult, user=world.official)
    call_command("audit_verify")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET reason = 'x'")  # noqa: S608
    with pytest.raises(CommandError):
        call_command("audit_verify")
