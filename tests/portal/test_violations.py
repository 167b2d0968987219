"""Violations on a supervisee's file: recorded by the own caseworker, checked, never lost."""

import datetime

import pytest
from django.utils import timezone

from portal.models import AuditEntry, Violation

pytestmark = pytest.mark.django_db


def test_a_violation_is_recorded_and_bad_dates_are_refused(world, client_for):
    client = client_for(world.caseworker)
    url = f"/supervisees/{world.adult.pk}/violations/new/"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = world.adult.supervision_start - datetime.timedelta(days=1)
    for day, words in ((tomorrow, "未来"), (before, "早于矫正开始")):
        response = client.post(
            url, {"occurred_on": day.isoformat(), "measure": "warning", "description": "未请假外出"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert words in html and "未请假外出" in html  # the text typed is kept
    assert not Violation.objects.exists()

    day = timezone.localdate()
    response = client.post(
        url, {"occurred_on": day.isoformat(), "measure": "warning", "description": "未请假外出"}
    )
    assert response.status_code == 302
    violation = Violation.objects.get()
    assert (violation.supervisee, violation.recorded_by) == (world.adult, world.caseworker)
    assert AuditEntry.objects.filter(action="create", object_id=str(world.adult.pk)).exists()
    page = client.get(f"/supervisees/{world.adult.pk}/").content.decode()
    assert "警告" in page and "未请假外出" in page
    assert client_for(world.other_caseworker).post(url, {}).status_code == 404
