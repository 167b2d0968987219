"""The demo shows each part of mentoring and assistance to the role that uses it."""

import pytest
from django.utils import timezone

from portal import demo as portal_demo
from portal.models import User
from volunteers import demo
from volunteers.models import AssistanceLog, Attachment, MentoringSession

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_the_demo_has_help_follow_ups_and_hours_to_approve(client):
    portal_demo.load(TODAY)
    demo.load(TODAY)
    counts = (AssistanceLog.objects.count(), MentoringSession.objects.count())
    demo.load(TODAY)
    assert (AssistanceLog.objects.count(), MentoringSession.objects.count()) == counts == (5, 3)

    def signed_in(username):
        client.force_login(User.objects.get(username=username))
        return client

    page = signed_in("social_worker").get("/mentoring/caseload/").content.decode()
    assert "电话询问低保审批结果" in page and "逾期" in page
    attachment = Attachment.objects.get()
    assert client.get(f"/mentoring/attachments/{attachment.pk}/").status_code == 200

    page = signed_in("official").get("/mentoring/hours/").content.decode()
    assert "3 条记录待审核" in page  # the mentor's newest session, the 低保 and the 医保 help
    pdf = signed_in("mentor").get(f"/mentoring/my-hours/certificate/?year={TODAY.year}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
