"""Coverage reports while PostgreSQL is briefly unreachable, under granian, where ordinary reports
take the lean way in (courses/ingest.py): the player is told to try again with a clear 503, nothing
half-written is kept, and the same report is taken once the database is back."""

import http.client
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client

from courses.models import LessonProgress
from tests.conftest import wait_for
from tests.courses.conftest import Courses, complete_orientation

from .conftest import Answer, get, signed_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)
CSRF = "c" * 32


def test_reports_during_a_database_outage_get_503_and_are_taken_afterwards(
    world, postgres_proxy, server_through
):
    courses = Courses(world)
    complete_orientation(world.adult, courses)
    client = Client()
    client.force_login(world.supervisee_user)
    cookie = f"{signed_in_cookie(client)}; csrftoken={CSRF}"
    url = server_through(postgres=postgres_proxy, server="granian")
    page = get(url, courses.lesson.url, cookie)
    assert page.status == 200
    token = re.search(r'data-token="([^"]+)"', page.text).group(1)

    def report(seq: int) -> Answer:
        """The player's report of second seq-1 to seq (sent about a second apart)."""
        body = json.dumps({"token": token, "seq": seq, "ranges": [[seq - 1, seq]], "position": seq})
        connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=30)
        try:
            connection.request(
                "POST",
                f"/api/v1/lessons/{courses.lesson.pk}/progress",
                body=body,
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/json",
                    "X-CSRFToken": CSRF,
                    "Origin": url,
                    "Referer": url + courses.lesson.url,
                },
            )
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def accepted(answer: Answer) -> bool:
        return answer.status == 200 and answer.json()["status"] == "accepted"

    time.sleep(1)
    assert accepted(report(1))  # the first report makes the row (the full stack)
    time.sleep(1)
    assert accepted(report(2))  # an ordinary one (the lean way)

    postgres_proxy.cut()
    time.sleep(1)
    refused = report(3)
    assert refused.status == 503 and refused.headers["Retry-After"] == "30"
    assert refused.json()["code"] == "service_unavailable" and "稍后" in refused.json()["detail"]
    assert "Traceback" not in refused.text
    postgres_proxy.restore()

    # The player sends the same report again; it is taken, once.
    wait_for(lambda: accepted(report(3)), what="the report to be taken after the outage")
    assert report(3).json()["status"] == "duplicate"
    progress = LessonProgress.objects.get(lesson=courses.lesson)
    assert progress.last_seq == 3 and progress.covered_seconds == pytest.approx(3)
