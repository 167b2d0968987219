"""The first-lesson gate and the certificate."""

import pytest
from django.urls import reverse

from courses.models import CourseCompletion

from .conftest import complete_orientation

pytestmark = pytest.mark.django_db


def test_every_supervisee_page_leads_to_the_first_lesson(world, courses, client_for):
    client = client_for(world.supervisee_user)
    for path in ["/workspace/", "/courses/law/", "/study/hours/", "/courses/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/courses/first-lesson/", path
    assert client.get("/courses/first-lesson/").status_code == 200
    assert client.get("/courses/first-lesson/intro/").status_code == 200


def test_completing_the_first_lesson_opens_the_platform(world, courses, client_for):
    client = client_for(world.supervisee_user)
    complete_orientation(world.adult, courses)
    completion = CourseCompletion.objects.get(supervisee=world.adult, course=courses.orientation)
    assert client.get("/workspace/").status_code == 200
    assert client.get("/courses/law/").status_code == 200
    page = client.get("/courses/first-lesson/")
    assert f"/study/certificates/{completion.pk}.pdf" in page.content.decode()
    pdf = client.get(f"/study/certificates/{completion.pk}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content  # the Chinese font the text is set in


def test_staff_are_not_gated(world, courses, client_for):
    assert client_for(world.caseworker).get("/workspace/").status_code == 200


def test_the_orientation_of_the_own_region_is_the_one_required(world, courses, client_for):
    from .conftest import add_course, add_lesson

    local = add_course(
        courses.index,
        "枣庄入矫第一课",
        slug="zz-first",
        kind="orientation",
        regions=[world.zaozhuang],
    )
    add_lesson(local, "枣庄社区矫正", slug="zz-intro")
    client = client_for(world.supervisee_user)
    assert client.get("/workspace/")["Location"] == "/courses/zz-first/"
    complete_orientation(world.adult, courses)  # the national one does not count here
    assert client.get("/workspace/")["Location"] == "/courses/zz-first/"


def test_certificates_are_private(world, courses, client_for):
    complete_orientation(world.adult, courses)
    completion = CourseCompletion.objects.get(supervisee=world.adult)
    url = f"/study/certificates/{completion.pk}.pdf"
    assert client_for(world.caseworker).get(url).status_code == 200
    assert client_for(world.jining_official).get(url).status_code == 404
    assert client_for(world.operator).get(url).status_code == 403


def test_the_first_lessons_own_forms_are_not_gated(world, courses, client_for):
    """Its quiz, reflection and "I have read this" must go through while everything else still
    leads to the first lesson; another course's forms do not."""
    client = client_for(world.supervisee_user)
    first, other = courses.orientation_lesson, courses.lesson
    response = client.post(reverse("courses:lesson_read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == first.url
    for action in ("lesson_read", "lesson_quiz", "lesson_reflection"):
        response = client.post(reverse(f"courses:{action}", args=[other.pk]))
        assert response["Location"] == "/courses/first-lesson/", action
