"""Twenty operators' clicks at once on an opening with one place: exactly one person gets it."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from resources.models import Opening, Referral, Status
from tests.conftest import make_supervisee

pytestmark = pytest.mark.skipif(
    "sqlite" in connection.vendor, reason="runs in the PostgreSQL stage of make test"
)

PARALLEL = 20


@pytest.mark.django_db(transaction=True)
def test_parallel_accepts_never_overbook(world, directory):
    opening = Opening.objects.create(
        base=directory.base,
        kind=Opening.Kind.JOB,
        title="仓库管理员",
        slots_total=1,
        slots_available=1,
    )
    referrals = [
        Referral.objects.create(
            supervisee=make_supervisee(world.zhongxin_office, world.zhongxin, name=f"测试{i}"),
            opening=opening,
            status=Status.SENT,
            sent_at=timezone.now(),
            created_by=world.caseworker,
        )
        for i in range(PARALLEL)
    ]
    clients = []
    for _ in referrals:
        client = Client()
        client.force_login(world.operator)
        clients.append(client)
    start = threading.Barrier(PARALLEL)
    answers: list[tuple[int, dict]] = []

    def accept(client, referral):
        try:
            start.wait()
            response = client.post(
                f"/api/v1/referrals/{referral.pk}/steps",
                json.dumps({"step": "accept"}),
                content_type="application/json",
            )
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(clients, referrals, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    codes = sorted(code for code, _body in answers)
    assert codes == [200] + [409] * (PARALLEL - 1)
    refusals = [body["detail"] for code, body in answers if code == 409]
    assert all("已满" in detail for detail in refusals), refusals
    opening.refresh_from_db()
    assert opening.slots_available == 0
    assert Referral.objects.filter(opening=opening, status=Status.ACCEPTED).count() == 1
    assert Referral.objects.filter(opening=opening, holds_slot=True).count() == 1
