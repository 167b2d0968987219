"""Security checklist: ids sent in request bodies (form fields, JSON, uploaded files) are held to
the requester's jurisdiction and role, as ids in URLs are (tests/portal/test_url_matrix.py).

Every test posts an id the requester must not reach and checks that the request is refused and
that nothing was saved, then posts an id in scope to show the endpoint works and the refusal is
about the id. Endpoints whose bodies carry no object id (level changes, violations, decisions,
reviews, service hours, pairing steps, referral steps, dismissals) are not listed here: their
objects come from the URL and are covered by the URL matrix.
"""

import datetime
import json

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses import qr
from courses.models import GroupAttendance, GroupSession, HourRequirement, LessonProgress
from courses.progress import issue_token
from live.models import LiveClass
from portal.idnumbers import make_id_number
from portal.models import Membership, Role, Supervisee, User
from resources import hsds
from resources.models import Base
from tests.conftest import make_user
from tests.courses.conftest import Courses, add_course
from tests.resources.conftest import Directory
from tests.volunteers.conftest import Mentors
from volunteers.models import MentorProfile, Pairing

pytestmark = pytest.mark.django_db

SOON = timezone.localtime() + datetime.timedelta(days=2)


def when(hour: int) -> str:
    return SOON.strftime(f"%Y-%m-%dT{hour:02d}:00")


def refused_choice(response, field: str) -> bool:
    """The form came back with an error on `field` (Django's “select a valid choice”)."""
    if response.status_code not in (200, 400):
        return False
    return field in response.context["form"].errors


@pytest.fixture
def courses(world) -> Courses:
    return Courses(world)


@pytest.fixture
def directory(world) -> Directory:
    return Directory(world)


@pytest.fixture
def mentors(world) -> Mentors:
    return Mentors(world)


# --- portal: volunteer sign-up and supervisee records ------------------------------------------


def signup(client, group_pk: int, username: str = "laoganbu"):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "phone": "13912345670",
            "email": "",
            "password1": "Volunteer-2026!",
            "password2": "Volunteer-2026!",
            "full_name": "钱老师",
            "volunteer_group": group_pk,
            "motivation": "",
        },
    )


def test_signup_joins_volunteer_groups_only(world, client):
    """A public applicant cannot make themselves a pending member of an agency."""
    memberships = Membership.objects.count()
    refused = signup(client, world.zz_agency.pk)
    assert refused_choice(refused, "volunteer_group")
    assert not User.objects.filter(username="laoganbu").exists()
    assert Membership.objects.count() == memberships

    assert signup(client, world.volunteers.pk).status_code == 302
    membership = Membership.objects.get(user__username="laoganbu")
    assert (membership.organisation, membership.status) == (world.volunteers, "pending")


def registration(world, **overrides) -> dict:
    birth = datetime.date(1988, 6, 1)
    start = timezone.localdate() - datetime.timedelta(days=20)
    data = {
        "name": "周新",
        "gender": "male",
        "birth_date": birth.isoformat(),
        "id_number": make_id_number("370402", birth, 41),
        "phone": "",
        "judicial_office": world.zhongxin_office.pk,
        "home_township": world.zhongxin.pk,
        "sentence_type": "probation",
        "supervision_level": "standard",
        "offence_category": "fraud",
        "supervision_start": start.isoformat(),
        "planned_end": (start + datetime.timedelta(days=365)).isoformat(),
        "skills": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "outside"),
    [
        ("judicial_office", "kuangqu_office"),  # the neighbouring office of the same county
        ("judicial_office", "wenshang_office"),  # another city's office
        ("home_township", "wenshang_jd"),  # a township of another county
    ],
)
def test_registering_keeps_office_and_township_in_scope(world, client_for, field, outside):
    client = client_for(world.caseworker)
    refused = client.post(
        "/supervisees/new/", registration(world, **{field: getattr(world, outside).pk})
    )
    assert refused_choice(refused, field)
    assert not Supervisee.objects.filter(name="周新").exists()

    # The neighbouring township of the own county is a home the office may record.
    accepted = client.post("/supervisees/new/", registration(world, home_township=world.kuangqu.pk))
    assert accepted.status_code == 302
    person = Supervisee.objects.get(name="周新")
    assert (person.judicial_office, person.home_township) == (world.zhongxin_office, world.kuangqu)


def record_edit(world, person, **overrides) -> dict:
    data = registration(
        world,
        name=person.name,
        id_number=person.id_number,
        birth_date=person.birth_date.isoformat(),
        supervision_start=person.supervision_start.isoformat(),
        planned_end=person.planned_end.isoformat(),
        status="active",
        ended_on="",
    )
    data.update(overrides)
    return data


@pytest.mark.parametrize("office", ["kuangqu_office", "wenshang_office"])
def test_editing_cannot_hand_a_record_to_another_office(world, client_for, office):
    client = client_for(world.caseworker)
    url = f"/supervisees/{world.adult.pk}/edit/"
    refused = client.post(
        url, record_edit(world, world.adult, judicial_office=getattr(world, office).pk)
    )
    assert refused_choice(refused, "judicial_office")
    world.adult.refresh_from_db()
    assert world.adult.judicial_office == world.zhongxin_office

    assert client.post(url, record_edit(world, world.adult, school="夜校")).status_code == 302
    world.adult.refresh_from_db()
    assert world.adult.school == "夜校"
    assert world.adult.judicial_office == world.zhongxin_office


# --- courses: hour requirements, group classes, check-in and progress tokens -----------------


def requirement(region, level="strict") -> dict:
    return {"region": region.pk, "level": level, "study_hours": "9", "service_hours": "7"}


@pytest.mark.parametrize("outside", ["wenshang", "jining", "shandong", "zhongxin"])
def test_requirements_only_for_the_officials_own_regions(world, client_for, outside):
    """Another city, a region above the official, or a township (requirements stop at
    counties) are refused."""
    client = client_for(world.official)
    refused = client.post("/study/requirements/", requirement(getattr(world, outside)))
    assert refused.status_code == 400 and "region" in refused.context["form"].errors
    assert not HourRequirement.objects.filter(study_minutes=540).exists()

    assert client.post("/study/requirements/", requirement(world.shizhong)).status_code == 302
    saved = HourRequirement.objects.get(study_minutes=540)
    assert (saved.region, saved.level, saved.service_minutes) == (world.shizhong, "strict", 420)


def group_class(organiser, **overrides) -> dict:
    data = {
        "title": "心理健康讲座",
        "organiser": organiser.pk,
        "venue": "活动室",
        "starts_at": when(9),
        "ends_at": when(11),
        "audience": "adults",
        "capacity": "20",
        "credited_minutes": "90",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("outside", ["kuangqu_office", "szq_agency", "wenshang_office"])
def test_group_classes_are_organised_by_the_own_organisation(world, client_for, outside):
    client = client_for(world.caseworker)
    refused = client.post("/study/groups/new/", group_class(getattr(world, outside)))
    assert refused.status_code == 400 and "organiser" in refused.context["form"].errors
    assert not GroupSession.objects.exists()

    assert client.post("/study/groups/new/", group_class(world.zhongxin_office)).status_code == 302
    assert GroupSession.objects.get().organiser == world.zhongxin_office


def test_a_group_class_names_a_published_course_only(world, courses, client_for):
    draft = add_course(courses.index, "草稿课程", slug="draft", kind="general", live=False)
    client = client_for(world.caseworker)
    refused = client.post("/study/groups/new/", group_class(world.zhongxin_office, course=draft.pk))
    assert refused.status_code == 400 and "course" in refused.context["form"].errors
    assert not GroupSession.objects.exists()

    data = group_class(world.zhongxin_office, course=courses.general.pk)
    assert client.post("/study/groups/new/", data).status_code == 302
    assert GroupSession.objects.get().course_id == courses.general.pk


def make_session(world, organiser=None, audience="adults") -> GroupSession:
    start = timezone.now() - datetime.timedelta(minutes=5)
    return GroupSession.objects.create(
        title="法治集中教育",
        organiser=organiser or world.zhongxin_office,
        venue="活动室",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        audience=audience,
        capacity=30,
        credited_minutes=120,
        created_by=world.caseworker,
    )


@pytest.mark.parametrize(
    ("person", "audience"),
    [
        ("jining_person", "adults"),  # another city
        ("kuangqu_person", "adults"),  # another office of the same county
        ("minor", "adults"),  # a minor on an adults' roster
        ("adult", "minors"),  # an adult on a minors' roster
    ],
)
def test_the_roster_marks_only_people_the_class_is_for(world, client_for, person, audience):
    session = make_session(world, audience=audience)
    client = client_for(world.caseworker)
    outsider = getattr(world, person)
    response = client.post(
        f"/study/groups/{session.pk}/", {"supervisee": outsider.pk, "status": "present"}
    )
    assert response.status_code == 404
    assert not GroupAttendance.objects.exists()

    insider = world.minor if audience == "minors" else world.adult
    response = client.post(
        f"/study/groups/{session.pk}/", {"supervisee": insider.pk, "status": "present"}
    )
    assert response.status_code == 302
    assert GroupAttendance.objects.get().supervisee == insider


def test_a_check_in_code_of_another_countys_class_is_refused(world, client_for):
    """The signed code in the body names a class; a class not for the person credits nothing."""
    client = client_for(world.supervisee_user)
    elsewhere = make_session(world, organiser=world.wenshang_office)
    token = qr.issue_token(elsewhere.pk)
    assert client.post("/study/check-in/", {"t": token}).status_code == 409
    api = client.post(
        "/api/v1/group-classes/check-in",
        json.dumps({"token": token}),
        content_type="application/json",
    )
    assert api.status_code == 409
    assert not GroupAttendance.objects.exists()

    own = make_session(world)
    response = client.post(
        "/api/v1/group-classes/check-in",
        json.dumps({"token": qr.issue_token(own.pk)}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert GroupAttendance.objects.get().session == own


def test_a_watch_token_of_another_person_is_refused(world, courses, client_for):
    """Progress reports carry a signed token naming the person; someone else's is refused."""
    other_user = make_user("zhaoliu")
    world.kuangqu_person.user = other_user
    world.kuangqu_person.save()
    lesson = courses.lesson
    issued = timezone.now() - datetime.timedelta(seconds=30)
    url = f"/api/v1/lessons/{lesson.pk}/progress"

    def report(token):
        body = {"token": token.sign(), "seq": 1, "ranges": [[0, 10]], "position": 10}
        return client_for(world.supervisee_user).post(
            url, json.dumps(body), content_type="application/json"
        )

    stolen = issue_token(other_user, world.kuangqu_person, lesson, issued)
    assert report(stolen).status_code == 403
    assert not LessonProgress.objects.exists()

    own = issue_token(world.supervisee_user, world.adult, lesson, issued)
    response = report(own)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert LessonProgress.objects.get().supervisee == world.adult


# --- resources: the operator's bases and the officials' HSDS import ---------------------------


def base_values(region, **overrides) -> dict:
    data = {
        "name": "市中区社区服务站",
        "kind": "welfare",
        "status": "active",
        "region": region.pk,
        "address": "光明路2号",
        "latitude": 34.86,
        "longitude": 117.56,
        "open_days": ["MO"],
        "required_documents": "身份证",
    }
    data.update(overrides)
    return data


def test_an_operator_places_bases_in_its_own_area_only(world, directory, client_for):
    """The operator of 市中区 cannot list a base in another city's directory."""
    client = client_for(world.operator)
    bases = Base.objects.count()
    refused = client.post("/directory/operator/bases/new/", base_values(world.wenshang_jd))
    assert refused_choice(refused, "region")
    assert Base.objects.count() == bases

    url = f"/directory/operator/bases/{directory.base.pk}/"
    moved = client.post(url, base_values(world.wenshang, name=directory.base.name))
    assert refused_choice(moved, "region")
    directory.base.refresh_from_db()
    assert directory.base.region == world.zhongxin

    created = client.post("/directory/operator/bases/new/", base_values(world.kuangqu))
    assert created.status_code == 302
    base = Base.objects.get(name="市中区社区服务站")
    assert (base.region, base.operator) == (world.kuangqu, world.operator_org)
    edited = client.post(url, base_values(world.kuangqu, name=directory.base.name))
    assert edited.status_code == 302
    directory.base.refresh_from_db()
    assert directory.base.region == world.kuangqu


def test_an_hsds_file_cannot_pull_another_citys_base(world, directory, client_for):
    """The ids in an uploaded file are held to the official's area, like form fields."""
    client = client_for(world.official)
    data = hsds.export_directory(Base.objects.filter(pk=directory.other_base.pk))
    location = data["services"][0]["service_at_locations"][0]["location"]
    location["external_identifier"] = world.kuangqu.code
    data["services"][0]["name"] = "改名"
    upload = SimpleUploadedFile("d.json", json.dumps(data, ensure_ascii=False).encode())
    page = client.post("/directory/hsds/import/", {"file": upload}).content.decode()
    assert "不在你的辖区" in page
    directory.other_base.refresh_from_db()
    assert (directory.other_base.region, directory.other_base.name) == (
        world.wenshang_jd,
        "汶上县社区公益服务站",
    )

    own = hsds.export_directory(Base.objects.filter(pk=directory.base.pk))
    own["services"][0]["name"] = "市中区阳光就业创业基地"
    upload = SimpleUploadedFile("d.json", json.dumps(own, ensure_ascii=False).encode())
    assert "导入完成" in client.post("/directory/hsds/import/", {"file": upload}).content.decode()
    directory.base.refresh_from_db()
    assert directory.base.name == "市中区阳光就业创业基地"


# --- volunteers: proposing mentors and the mentor's own areas ---------------------------------


@pytest.fixture
def jining_mentor(world):
    """A screened, approved volunteer of Jining's group, with room."""
    user = make_user("jn_mentor", Role.MENTOR, world.jn_volunteers, full_name="孔老师")
    day = datetime.date(2026, 1, 10)
    MentorProfile.objects.create(
        user=user,
        elder_kind="retired_teacher",
        capacity=3,
        background_check_on=day,
        background_check_passed=True,
        trained_on=day,
        agreement_signed_on=day,
    )
    return user


@pytest.mark.parametrize(
    ("person", "mentor"),
    [
        ("adult", "jining_mentor"),  # a volunteer of another city's group
        ("adult", "official"),  # not a volunteer at all
        ("minor", "new_mentor"),  # a volunteer not yet screened, for a minor
    ],
)
def test_a_caseworker_proposes_only_mentors_offered(
    world, mentors, jining_mentor, client_for, person, mentor
):
    users = {"jining_mentor": jining_mentor, "new_mentor": mentors.unscreened_user}
    chosen = users.get(mentor) or getattr(world, mentor)
    supervisee = getattr(world, person)
    client = client_for(world.caseworker)
    url = f"/mentoring/people/{supervisee.pk}/propose/"
    refused = client.post(url, {"mentor": chosen.pk, "goals": "稳定就业"})
    assert refused.status_code == 400 and "mentor" in refused.context["form"].errors
    assert not Pairing.objects.exists()

    assert client.post(url, {"mentor": world.mentor.pk, "goals": "稳定就业"}).status_code == 302
    pairing = Pairing.objects.get()
    assert (pairing.mentor, pairing.supervisee) == (world.mentor, supervisee)


def profile_values(*regions) -> dict:
    return {
        "elder_kind": "retired_teacher",
        "languages": "普通话",
        "regions": [r.pk for r in regions],
        "capacity": "2",
        "availability": "周末",
    }


def test_a_mentor_serves_areas_of_the_own_group_only(world, mentors, client_for):
    client = client_for(world.mentor)
    refused = client.post("/mentoring/profile/", profile_values(world.shizhong, world.wenshang))
    assert refused_choice(refused, "regions")
    assert not mentors.screened.regions.exists()

    assert client.post("/mentoring/profile/", profile_values(world.shizhong)).status_code == 302
    assert list(mentors.screened.regions.all()) == [world.shizhong]


# --- live: scheduling a class ------------------------------------------------------------------


def live_values(**overrides) -> dict:
    data = {
        "title": "宪法宣传周直播",
        "starts_at": when(10),
        "ends_at": when(11),
        "audience": "adults",
        "attention_every_minutes": 0,
        "attention_answer_seconds": 60,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "outside"),
    [
        ("regions", "wenshang"),  # another city's county as audience
        ("regions", "shandong"),  # the province above the official
        ("presenters", "jining_official"),  # a presenter from another city
        ("presenters", "mentor"),  # a presenter who is not agency staff
        ("course", "jining_only"),  # the recording would join another city's course
        ("course", "draft"),  # a course not published
    ],
)
def test_a_live_class_keeps_its_audience_presenters_and_course_in_scope(
    world, courses, client_for, field, outside
):
    draft = add_course(courses.index, "草稿课程", slug="draft", kind="general", live=False)
    things = {"jining_only": courses.jining_only, "draft": draft}
    chosen = things.get(outside) or getattr(world, outside)
    value = [chosen.pk] if field in ("regions", "presenters") else chosen.pk
    client = client_for(world.official)
    refused = client.post("/live/new/", live_values(**{field: value}))
    assert refused.status_code == 400 and field in refused.context["form"].errors
    assert not LiveClass.objects.exists()

    accepted = client.post(
        "/live/new/",
        live_values(
            regions=[world.shizhong.pk],
            presenters=[world.caseworker.pk],
            course=courses.general.pk,
        ),
    )
    assert accepted.status_code == 302
    live_class = LiveClass.objects.get()
    assert list(live_class.regions.all()) == [world.shizhong]
    assert list(live_class.presenters.all()) == [world.caseworker]
    assert (live_class.course_id, live_class.organiser) == (courses.general.pk, world.zz_agency)


# Every form field of the apps that takes an object id, and the test above that holds it to the
# requester's scope. Skills are a shared vocabulary anyone may pick from.
ID_FIELDS = {
    "portal.forms.VolunteerSignupForm": {"volunteer_group"},
    "portal.forms.SuperviseeForm": {"judicial_office", "home_township"},
    "courses.forms.RequirementForm": {"region"},
    "courses.forms.GroupSessionForm": {"organiser", "course"},
    "resources.forms.BaseForm": {"region"},
    "resources.forms.OpeningForm": {"skills"},
    "volunteers.forms.ProposeForm": {"mentor"},
    "volunteers.forms.ProfileForm": {"regions", "skills"},
    "live.forms.LiveClassForm": {"regions", "presenters", "course"},
}


def test_every_id_field_of_the_apps_forms_is_on_the_checklist():
    """A new form field taking an object id fails here until it has a scope test above."""
    import importlib
    import inspect

    found = {}
    for app in ("portal", "courses", "resources", "volunteers", "live", "insights"):
        module = importlib.import_module(f"{app}.forms")
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if (
                not issubclass(form_class, forms.BaseForm)
                or form_class.__module__ != module.__name__
            ):
                continue
            fields = {
                field_name
                for field_name, field in form_class.base_fields.items()
                if isinstance(field, forms.ModelChoiceField)
            }
            if fields:
                found[f"{module.__name__}.{name}"] = fields
    assert found == ID_FIELDS
