"""Every URL of the project is classified, and every role gets the answer its class promises.

Classes: public; signed-in; role-restricted (403 for other roles); object-scoped (403 for other
roles, 404 for an object outside the viewer's scope). Adding a URL without classifying it here
fails `test_every_url_is_classified`.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver

from media.models import Video, VideoCaption, video_storage
from portal.models import Membership, Role, User

pytestmark = pytest.mark.django_db

PEOPLE = {Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER}
GROUPS = {Role.CASEWORKER, Role.OFFICIAL}
FINDERS = PEOPLE | {Role.SUPERVISEE, Role.BASE_OPERATOR}
REFERRERS = {Role.CASEWORKER, Role.SOCIAL_WORKER}
REFERRAL_PARTIES = PEOPLE | {Role.SUPERVISEE, Role.BASE_OPERATOR}
HELPERS = {Role.CASEWORKER, Role.SOCIAL_WORKER, Role.MENTOR}
VOLUNTEERS = {Role.MENTOR, Role.SOCIAL_WORKER}
LIVE = {Role.SUPERVISEE, Role.OFFICIAL, Role.CASEWORKER}
PUBLIC, SIGNED_IN, ROLES, OBJECT = "public", "signed-in", "roles", "object"
ALWAYS_404 = "always-404"  # django-ninja's root marker: it only tells the API where it lives

# route -> (class, roles, method, object kind)
OWN = {
    "workspace/": (SIGNED_IN, None, "get", None),
    "jsi18n/": (PUBLIC, None, "get", None),
    "supervisees/": (ROLES, PEOPLE, "get", None),
    "supervisees/new/": (ROLES, {Role.CASEWORKER}, "get", None),
    "supervisees/export.<str:fmt>": (ROLES, PEOPLE, "get", None),
    "supervisees/<int:pk>/": (OBJECT, PEOPLE, "get", "supervisee"),
    "supervisees/<int:pk>/edit/": (OBJECT, {Role.CASEWORKER}, "get", "supervisee"),
    "supervisees/<int:pk>/level/": (OBJECT, {Role.CASEWORKER}, "get", "supervisee"),
    "supervisees/<int:pk>/account/": (OBJECT, {Role.CASEWORKER}, "post", "supervisee"),
    "supervisees/<int:pk>/photo/": (OBJECT, PEOPLE, "get", "supervisee"),
    "supervisees/<int:pk>/violations/new/": (OBJECT, {Role.CASEWORKER}, "get", "supervisee"),
    "insights/dashboard/": (ROLES, {Role.OFFICIAL}, "get", None),
    "insights/dashboard/export.xlsx": (ROLES, {Role.OFFICIAL}, "get", None),
    "insights/opportunities/": (ROLES, {Role.CASEWORKER}, "get", None),
    "insights/opportunities/<str:key>/act/": (OBJECT, {Role.CASEWORKER}, "post", "opportunity"),
    "insights/opportunities/<str:key>/dismiss/": (
        OBJECT,
        {Role.CASEWORKER},
        "post",
        "opportunity",
    ),
    "volunteer-applications/": (ROLES, {Role.OFFICIAL}, "get", None),
    "volunteer-applications/<int:pk>/decide/": (OBJECT, {Role.OFFICIAL}, "post", "application"),
    "audit/": (ROLES, {Role.AUDITOR}, "get", None),
    "audit/export.csv": (ROLES, {Role.AUDITOR}, "get", None),
    "video/<int:pk>/": (SIGNED_IN, None, "get", "video"),
    "video/<uuid:key>/captions/<int:pk>.vtt": (SIGNED_IN, None, "get", "caption"),
    "video/<uuid:key>/<slug:rev>/<str:name>": (SIGNED_IN, None, "get", "video"),
    "notifications/": (SIGNED_IN, None, "get", None),
    "notifications/read/": (SIGNED_IN, None, "post", None),
    "study/hours/": (ROLES, {Role.SUPERVISEE}, "get", None),
    "study/lessons/<int:pk>/quiz/": (OBJECT, {Role.SUPERVISEE}, "post", "lesson"),
    "study/lessons/<int:pk>/reflection/": (OBJECT, {Role.SUPERVISEE}, "post", "lesson"),
    "study/lessons/<int:pk>/read/": (OBJECT, {Role.SUPERVISEE}, "post", "lesson"),
    "study/certificates/<int:pk>.pdf": (OBJECT, PEOPLE | {Role.SUPERVISEE}, "get", "certificate"),
    "study/compliance/": (ROLES, PEOPLE, "get", None),
    "study/compliance/export.<str:fmt>": (ROLES, PEOPLE, "get", None),
    "study/compliance/<int:pk>/": (OBJECT, PEOPLE, "get", "supervisee"),
    "study/compliance/<int:pk>/service/": (OBJECT, {Role.CASEWORKER}, "post", "supervisee"),
    "study/credits/<int:pk>/reverse/": (OBJECT, {Role.CASEWORKER}, "post", "credit"),
    "study/reflections/<int:pk>/review/": (
        OBJECT,
        {Role.CASEWORKER, Role.SOCIAL_WORKER},
        "post",
        "reflection",
    ),
    "study/requirements/": (ROLES, {Role.OFFICIAL}, "get", None),
    "study/groups/": (ROLES, GROUPS, "get", None),
    "study/groups/new/": (ROLES, GROUPS, "get", None),
    "study/groups/<int:pk>/": (OBJECT, GROUPS, "get", "group"),
    "study/groups/<int:pk>/projector/": (OBJECT, GROUPS, "get", "group"),
    "study/groups/<int:pk>/code.json": (OBJECT, GROUPS, "get", "group"),
    "study/groups/<int:pk>/close/": (OBJECT, GROUPS, "post", "group"),
    "study/check-in/": (PUBLIC, None, "get", None),
    "api/v1/supervisees": (ROLES, PEOPLE, "get", None),
    "api/v1/supervisees/<supervisee_id>": (OBJECT, PEOPLE, "get", "supervisee"),
    "api/v1/lessons/<lesson_id>/progress": (SIGNED_IN, None, "post", None),
    "api/v1/group-classes/check-in": (SIGNED_IN, None, "post", None),
    "api/v1/compliance": (ROLES, PEOPLE, "get", None),
    "api/v1/compliance/<supervisee_id>": (OBJECT, PEOPLE, "get", "supervisee"),
    "search/": (PUBLIC, None, "get", None),
    "api/v1/search/suggest": (PUBLIC, None, "get", None),
    "directory/": (ROLES, PEOPLE | {Role.SUPERVISEE}, "get", None),
    "directory/openings/<int:pk>/": (ROLES, FINDERS, "get", "opening"),
    "directory/openings/<int:pk>/request/": (ROLES, {Role.SUPERVISEE}, "post", "opening"),
    "directory/bases/<int:pk>/": (ROLES, FINDERS, "get", "base"),
    "directory/my-referrals/": (ROLES, {Role.SUPERVISEE}, "get", None),
    "directory/match/<int:pk>/": (OBJECT, PEOPLE, "get", "supervisee"),
    "directory/match/<int:pk>/refer/<int:opening_pk>/": (OBJECT, REFERRERS, "post", "supervisee"),
    "directory/referrals/": (ROLES, PEOPLE | {Role.BASE_OPERATOR}, "get", None),
    "directory/referrals/export.<str:fmt>": (ROLES, PEOPLE | {Role.BASE_OPERATOR}, "get", None),
    "directory/referrals/<int:pk>/": (OBJECT, REFERRAL_PARTIES, "get", "referral"),
    "directory/referrals/<int:pk>/step/": (OBJECT, REFERRAL_PARTIES, "post", "referral"),
    "directory/referrals/<int:pk>/hours/": (OBJECT, {Role.BASE_OPERATOR}, "get", "referral"),
    "directory/hours/<int:pk>/decide/": (OBJECT, {Role.CASEWORKER}, "post", "service_log"),
    "directory/operator/": (ROLES, {Role.BASE_OPERATOR}, "get", None),
    "directory/operator/profile/": (ROLES, {Role.BASE_OPERATOR}, "get", None),
    "directory/operator/bases/new/": (ROLES, {Role.BASE_OPERATOR}, "get", None),
    "directory/operator/bases/<int:pk>/": (ROLES, {Role.BASE_OPERATOR}, "get", "base"),
    "directory/operator/bases/<int:pk>/verify/": (ROLES, {Role.BASE_OPERATOR}, "post", "base"),
    "directory/operator/bases/<int:base_pk>/openings/new/": (
        ROLES,
        {Role.BASE_OPERATOR},
        "get",
        "base",
    ),
    "directory/operator/openings/<int:pk>/": (ROLES, {Role.BASE_OPERATOR}, "get", "opening"),
    "directory/hsds.json": (ROLES, PEOPLE, "get", None),
    "directory/hsds/import/": (ROLES, {Role.OFFICIAL}, "get", None),
    "mentoring/": (ROLES, {Role.MENTOR}, "get", None),
    "mentoring/profile/": (ROLES, {Role.MENTOR}, "get", None),
    "mentoring/mentors/": (ROLES, {Role.OFFICIAL}, "get", None),
    "mentoring/mentors/<int:pk>/screening/": (OBJECT, {Role.OFFICIAL}, "get", "mentor_profile"),
    "mentoring/people/<int:pk>/": (OBJECT, PEOPLE, "get", "supervisee"),
    "mentoring/people/<int:pk>/propose/": (OBJECT, {Role.CASEWORKER}, "post", "supervisee"),
    "mentoring/people/<int:pk>/timeline/": (OBJECT, PEOPLE, "get", "supervisee"),
    "mentoring/pairings/<int:pk>/": (OBJECT, PEOPLE | {Role.MENTOR}, "get", "pairing"),
    "mentoring/pairings/<int:pk>/sessions/new/": (OBJECT, {Role.MENTOR}, "get", "pairing"),
    "mentoring/pairings/<int:pk>/<slug:step>/": (OBJECT, GROUPS, "post", "pairing"),
    "mentoring/people/<int:pk>/assistance/new/": (OBJECT, HELPERS, "get", "supervisee"),
    "mentoring/assistance/<int:pk>/": (OBJECT, HELPERS | {Role.OFFICIAL}, "get", "assistance"),
    "mentoring/attachments/<int:pk>/": (OBJECT, HELPERS | {Role.OFFICIAL}, "get", "attachment"),
    "mentoring/follow-ups/<slug:kind>/<int:pk>/done/": (OBJECT, HELPERS, "post", "assistance"),
    "mentoring/caseload/": (ROLES, {Role.SOCIAL_WORKER}, "get", None),
    "mentoring/hours/": (ROLES, {Role.OFFICIAL}, "get", None),
    "mentoring/hours/export/": (ROLES, {Role.OFFICIAL}, "get", None),
    "mentoring/hours/<slug:kind>/<int:pk>/": (OBJECT, {Role.OFFICIAL}, "post", "assistance"),
    "mentoring/hours/volunteers/<int:pk>/certificate/": (
        OBJECT,
        {Role.OFFICIAL},
        "get",
        "volunteer",
    ),
    "live/": (ROLES, LIVE, "get", None),
    "live/new/": (ROLES, {Role.OFFICIAL}, "get", None),
    # The personal calendar feed: its signed token is the only key, so a forged one is 404.
    "live/calendar/<str:token>.ics": (ALWAYS_404, None, "get", None),
    "live/<uuid:key>/": (OBJECT, LIVE, "get", "live"),
    "live/<uuid:key>/on-air/": (OBJECT, GROUPS, "post", "live"),
    "live/<uuid:key>/end/": (OBJECT, GROUPS, "post", "live"),
    "live/<uuid:key>/hls/<uuid:run>/<str:name>": (OBJECT, LIVE, "get", "live"),
    "live/<uuid:key>/attendance/": (OBJECT, GROUPS, "get", "live"),
    "live/<uuid:key>/attendance.<str:fmt>": (OBJECT, GROUPS, "get", "live"),
    "mentoring/my-hours/": (ROLES, VOLUNTEERS, "get", None),
    "mentoring/my-hours/certificate/": (ROLES, VOLUNTEERS, "get", None),
    "api/v1/referrals": (ROLES, PEOPLE | {Role.BASE_OPERATOR}, "get", None),
    "api/v1/referrals/<referral_id>": (OBJECT, PEOPLE | {Role.BASE_OPERATOR}, "get", "referral"),
    "api/v1/referrals/<referral_id>/steps": (SIGNED_IN, None, "post", None),
    "api/v1/": (ALWAYS_404, None, "get", None),
    "api/v1/openapi.json": (PUBLIC, None, "get", None),
    "api/v1/docs": (PUBLIC, None, "get", None),
    "^media/(?P<path>.*)$": (PUBLIC, None, "get", "media"),  # public files on local disk
}

# Included applications, classified as a whole by where they come from; their own rules apply.
INCLUDED = {
    "allauth.urls": "allauth sign-in pages (public) and account pages (signed-in)",
    "django.conf.urls.i18n": "language switch (public)",
    "wagtail.admin.urls": "Wagtail admin: editors only",
    "admin": "Django admin: superusers only",
    "wagtail.documents.urls": "Wagtail documents, with Wagtail's own collection privacy",
    "wagtail.urls": "Wagtail pages (public content; page privacy by Wagtail)",
}


def origin_of(resolver: URLResolver) -> str:
    name = resolver.urlconf_name
    return getattr(name, "__name__", name if isinstance(name, str) else resolver.namespace)


def all_routes(patterns=None, prefix="", origin=""):
    """(route, origin) for every endpoint; origin names the included URLconf, if any."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from all_routes(p.url_patterns, route, origin or origin_of(p))
        elif isinstance(p, URLPattern):
            yield route, origin


def classify(route: str, origin: str):
    if origin in INCLUDED:
        return INCLUDED[origin]
    return OWN.get(route)


def test_every_url_is_classified():
    unclassified = [r for r, origin in all_routes() if classify(r, origin) is None]
    assert unclassified == [], f"classify these URLs in {__file__}: {unclassified}"


def test_every_own_classification_still_exists():
    routes = {r for r, _origin in all_routes()}
    assert set(OWN) <= routes


ROLE_USERS = {
    "anonymous": None,
    "supervisee": "supervisee_user",
    "caseworker": "caseworker",
    "official": "official",
    "social_worker": "social_worker",
    "mentor": "mentor",
    "operator": "operator",
    "editor": "editor",
    "auditor": "auditor",
    "outside_official": "jining_official",
    "outside_caseworker": "other_caseworker",
}


@pytest.fixture
def objects(world):
    world.adult.photo.save("adult.png", ContentFile(b"\x89PNG"), save=True)
    applicant = User.objects.create_user("applicant", password="x")
    application = Membership.objects.create(
        user=applicant, organisation=world.volunteers, role=Role.MENTOR, status="pending"
    )
    video = Video.objects.create(
        title="课", original="x/original/source.mp4", status="ready", rendition_dir="r1"
    )
    video_storage().save(video.published_name("master.m3u8"), ContentFile(b"#EXTM3U\n"))
    caption = VideoCaption(video=video)
    caption.file.save("zh.vtt", ContentFile(b"WEBVTT\n"), save=True)
    study = course_objects(world)
    return {
        **study,
        **directory_objects(world),
        **mentoring_objects(world),
        "live": live_object(world),
        "media": default_storage.save("images/probe.png", ContentFile(b"\x89PNG")),
        "<str:key>": opportunity_key(world),
        "supervisee": world.adult.pk,
        "application": application.pk,
        "video": video.pk,
        "caption": caption.pk,
        "<uuid:key>": str(video.key),
        "<slug:rev>": "r1",
        "<str:name>": "master.m3u8",
    }


def course_objects(world) -> dict:
    """A lesson, a certificate and a reflection of the adult, and a group class of the office."""
    import datetime

    from django.utils import timezone

    from courses.models import CourseCompletion, GroupSession, Reflection
    from tests.courses.conftest import Courses

    courses = Courses(world)
    courses.lesson.reflection_prompt = "你有什么体会？"
    courses.lesson.save_revision().publish()
    completion = CourseCompletion.objects.create(
        supervisee=world.adult,
        course=courses.orientation,
        completed_at=timezone.now(),
        certificate_number="JZTEST1",
    )
    reflection = Reflection.objects.create(
        supervisee=world.adult, lesson=courses.lesson, text="学习宪法让我明白了权利和义务。"
    )
    start = timezone.now() + datetime.timedelta(hours=1)
    group = GroupSession.objects.create(
        title="集中教育",
        organiser=world.zhongxin_office,
        venue="司法所会议室",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        audience="adults",
        capacity=20,
        credited_minutes=120,
        created_by=world.caseworker,
    )
    from courses import ledger

    credit = ledger.credit(
        world.adult,
        source="video",
        minutes=30,
        day=timezone.localdate(),
        key="m",
        record=completion,
    )
    return {
        "credit": credit.pk,
        "lesson": courses.lesson.pk,
        "certificate": completion.pk,
        "reflection": reflection.pk,
        "group": group.pk,
    }


def directory_objects(world) -> dict:
    """An opening of the world's operator, a referral of the adult to it, and logged hours."""
    from resources.models import Referral, ServiceLog
    from tests.resources.conftest import Directory

    directory = Directory(world)
    referral = Referral.objects.create(
        supervisee=world.adult,
        opening=directory.service,
        status="started",
        sent_at="2026-11-01T09:00:00+08:00",
        created_by=world.caseworker,
    )
    log = ServiceLog.objects.create(
        referral=referral, day="2026-11-02", minutes=60, note="清扫", logged_by=world.operator
    )
    return {
        "opening": directory.job.pk,
        "base": directory.base.pk,
        "referral": referral.pk,
        "service_log": log.pk,
    }


def mentoring_objects(world) -> dict:
    """The world's mentor's profile, an active pairing with the adult, and the mentor's
    approved assistance log for the adult with a file."""
    from volunteers.models import AssistanceLog, Attachment, MentorProfile, Pairing

    profile = MentorProfile.objects.create(user=world.mentor, elder_kind="retired_teacher")
    pairing = Pairing.objects.create(
        mentor=world.mentor, supervisee=world.adult, status="active", proposed_by=world.caseworker
    )
    log = AssistanceLog.objects.create(
        supervisee=world.adult,
        author=world.mentor,
        kind="employment",
        held_on="2026-11-02",
        minutes=60,
        summary="陪同面试",
        follow_up="回访",
        follow_up_due="2026-11-09",
        hours_status="approved",
    )
    attachment = Attachment.objects.create(
        log=log,
        file=ContentFile(b"%PDF-1.4\n", name="a.pdf"),
        name="a.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=world.mentor,
    )
    return {
        "pairing": pairing.pk,
        "mentor_profile": profile.pk,
        "assistance": log.pk,
        "attachment": attachment.pk,
        "volunteer": world.mentor.pk,
    }


def opportunity_key(world) -> str:
    """The adult, a year from release, under a 中心街 rule that counts that as near."""
    from insights.models import OpportunityRule

    rule = OpportunityRule.objects.create(
        name="中心街：一年内解矫", kind="near_release", days=400, region=world.zhongxin
    )
    return f"{rule.pk}:{world.adult.pk}:{world.adult.planned_end.isoformat()}"


def live_object(world) -> tuple[str, str]:
    """A class of the 中心街 office for its adults, so the 矿区 caseworker is outside it, and
    its broadcast on air."""
    from django.core.cache import cache

    from live.broadcast import playlist_key
    from live.models import BroadcastRun
    from tests.live.conftest import make_class

    live_class = make_class(world, organiser=world.zhongxin_office)
    live_class.regions.add(world.zhongxin)
    run = BroadcastRun.objects.create(live_class=live_class, started_by=world.official)
    cache.set(playlist_key(run.key), "#EXTM3U\n", 600)  # a broadcast on air
    return str(live_class.key), str(run.key)


def url_for(route: str, objects: dict, kind: str | None) -> str:
    if kind == "media":
        return "/media/" + objects["media"]
    url = "/" + route
    url = url.replace("<str:fmt>", "csv").replace("<slug:step>", "close")
    url = url.replace("<slug:kind>", "assistance").replace("<str:token>", "forged")
    if kind == "live":
        live_class, run = objects["live"]
        url = url.replace("<uuid:key>/", f"{live_class}/").replace("<uuid:run>", run)
        url = url.replace("<str:name>", "index.m3u8")
    for token in ("<uuid:key>", "<slug:rev>", "<str:name>", "<str:key>"):
        url = url.replace(token, objects[token])
    url = url.replace("<lesson_id>", str(objects["lesson"]))
    url = url.replace("<int:opening_pk>", str(objects["opening"]))
    url = url.replace("<referral_id>", str(objects["referral"]))
    url = url.replace("<int:base_pk>", str(objects["base"]))
    for token in ("<int:pk>", "<supervisee_id>"):
        url = url.replace(token, str(objects.get(kind, 0)))
    return url


def expected(cls, roles, user_key, user) -> str:
    if cls == PUBLIC:
        return "ok"
    if cls == ALWAYS_404:
        return "missing"
    if user is None:
        return "login"
    if cls == SIGNED_IN:
        return "ok"
    from portal.access import roles_of

    if not (roles_of(user) & roles):
        return "forbidden"
    if cls == ROLES:
        return "ok"
    # Object-scoped: the adult is in scope of the Zaozhuang official, the office's caseworker
    # and the social worker (caseload); the application belongs to the Zaozhuang volunteers.
    return "missing" if user_key.startswith("outside") else "ok"


def outcome(response) -> str:
    """Bad input (400, 422) means the request got past every access check: "ok" here."""
    code = response.status_code
    if code in (302, 401) and (code == 401 or "/accounts/login/" in response["Location"]):
        return "login"
    return {403: "forbidden", 404: "missing"}.get(
        code, "ok" if code < 400 or code in (400, 422) else str(code)
    )


@pytest.mark.parametrize("user_key", list(ROLE_USERS))
def test_matrix(world, objects, client_for, user_key):
    from django.test import Client

    attr = ROLE_USERS[user_key]
    user = getattr(world, attr) if attr else None
    failures = []
    for route, (cls, roles, method, kind) in OWN.items():
        client = client_for(user) if user else Client()
        response = getattr(client, method)(url_for(route, objects, kind))
        want = expected(cls, roles, user_key, user)
        got = outcome(response)
        if got != want:
            failures.append(f"{method.upper()} {route}: expected {want}, got {got}")
    assert failures == []


@pytest.mark.parametrize("user_key", ["supervisee", "caseworker", "official", "mentor"])
def test_admin_interfaces_are_closed_to_non_editors(world, client_for, user_key):
    client = client_for(getattr(world, ROLE_USERS[user_key]))
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/django-admin/").status_code in (302, 403)


def test_editor_reaches_the_wagtail_admin(world, client_for):
    from django.contrib.auth.models import Group

    world.editor.groups.add(Group.objects.get(name="Editors"))
    assert client_for(world.editor).get("/admin/").status_code == 200
