"""Editors build courses and themes in the Wagtail admin; supervisees see this month first."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from courses.models import CoursePage, LessonPage, MonthlyTheme, MonthlyThemeCourse

from .conftest import complete_orientation

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(world, client_for):
    world.editor.groups.add(Group.objects.get(name="Editors"))
    return client_for(world.editor)


def test_editors_create_a_course_with_audience_rules(world, courses, editor):
    url = f"/admin/pages/add/courses/coursepage/{courses.index.pk}/"
    form = editor.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert 'type="checkbox"' in body and 'name="levels"' in body
    response = editor.post(
        url,
        {
            "title": "禁毒教育",
            "slug": "anti-drug",
            "kind": "targeted",
            "phase": "any",
            "summary": "",
            "age_group": "adults",
            "levels": ["strict"],
            "offence_categories": ["drugs"],
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    course = CoursePage.objects.get(slug="anti-drug")
    assert (course.levels, course.offence_categories, course.age_group) == (
        ["strict"],
        ["drugs"],
        "adults",
    )
    lesson_form = editor.get(f"/admin/pages/add/courses/lessonpage/{course.pk}/")
    assert lesson_form.status_code == 200
    assert editor.get("/admin/snippets/courses/monthlytheme/add/").status_code == 200


def test_audience_rules_decide_who_sees_a_course(world, courses, client_for):
    complete_orientation(world.adult, courses)
    client = client_for(world.supervisee_user)
    assert client.get("/courses/law/").status_code == 200
    assert client.get("/courses/youth/").status_code == 404  # minors only
    assert client.get("/courses/jining/").status_code == 404  # another city's course
    listing = client.get("/courses/").content.decode()
    assert "法治教育" in listing and "未成年人成长课" not in listing and "济宁专题" not in listing
    assert client_for(world.caseworker).get("/courses/youth/").status_code == 200
    assert client_for(world.operator).get("/courses/law/").status_code == 404
    assert client_for(world.jining_official).get("/courses/youth/").status_code == 200


def test_this_months_theme_comes_first(world, courses, client_for):
    complete_orientation(world.adult, courses)
    month = timezone.localdate().replace(day=1)
    province = MonthlyTheme.objects.create(region=world.shandong, month=month, title="遵纪守法")
    MonthlyThemeCourse.objects.create(theme=province, course=courses.general)
    county = MonthlyTheme.objects.create(region=world.shizhong, month=month, title="就业帮扶")
    MonthlyThemeCourse.objects.create(theme=county, course=courses.minors_only)
    MonthlyTheme.objects.create(
        region=world.jining, month=month, title="济宁主题"
    ).theme_courses.create(course=courses.jining_only)
    last_month = month - datetime.timedelta(days=1)
    MonthlyTheme.objects.create(region=world.shandong, month=last_month, title="上月主题")
    page = client_for(world.supervisee_user).get("/courses/")
    themes = page.context["themes"]
    assert [t["theme"].title for t in themes] == ["遵纪守法", "就业帮扶"]
    assert [c["course"] for c in themes[0]["cards"]] == [courses.general]
    assert themes[1]["cards"] == []  # the county added a minors' course: not for an adult
    assert courses.general not in [c["course"] for c in page.context["cards"]]
    body = page.content.decode()
    assert body.index("遵纪守法") < body.index("入矫第一课")


def test_a_reading_lesson_completes_when_read(world, courses, client_for):
    complete_orientation(world.adult, courses)
    reading = courses.general.add_child(
        instance=LessonPage(
            title="阅读材料", slug="reading", body="<p>正文</p>", credited_minutes=10
        )
    )
    client = client_for(world.supervisee_user)
    client.post(f"/study/lessons/{reading.pk}/read/")
    assert reading.progress.get(supervisee=world.adult).completed_at is not None
    # The video lesson of the same course does not complete by a click.
    client.post(f"/study/lessons/{courses.lesson.pk}/read/")
    assert courses.lesson.progress.get(supervisee=world.adult).completed_at is None


def test_lesson_videos_follow_the_course_audience(world, courses, client_for):
    complete_orientation(world.adult, courses)
    minors_video = courses.minors_only.lessons().first().video
    adult = client_for(world.supervisee_user)
    assert adult.get(f"/video/{minors_video.pk}/").status_code == 404
    assert adult.get(f"/video/{courses.lesson.video.pk}/").status_code == 200
    assert client_for(world.caseworker).get(f"/video/{minors_video.pk}/").status_code == 200


def test_anonymous_visitors_are_asked_to_sign_in(courses, client):
    for path in ("/courses/", "/courses/law/", "/courses/law/constitution/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_courses_are_staged_by_phase(world, courses, client_for):
    from .conftest import add_course, add_lesson

    release = add_course(courses.index, "解矫前教育", slug="release", phase="release")
    add_lesson(release, "解矫须知", slug="after")
    intake = add_course(courses.index, "入矫适应", slug="intake", phase="intake")
    add_lesson(intake, "适应新生活", slug="settle")
    complete_orientation(world.adult, courses)
    client = client_for(world.supervisee_user)

    def listed() -> set[str]:
        return {card["course"].title for card in client.get("/courses/").context["cards"]}

    assert {"法治教育", "入矫第一课"} <= listed()  # 60 days in: 矫中
    assert not {"解矫前教育", "入矫适应"} & listed()
    world.adult.planned_end = timezone.localdate() + datetime.timedelta(days=10)
    world.adult.save()
    assert "解矫前教育" in listed() and "入矫适应" not in listed()
    world.adult.supervision_start = timezone.localdate() - datetime.timedelta(days=5)
    world.adult.planned_end = timezone.localdate() + datetime.timedelta(days=300)
    world.adult.save()
    assert "入矫适应" in listed() and "解矫前教育" not in listed()
