"""Demo data and the project's deployment checks."""

import datetime

import pytest
from django.core.management import call_command

from portal import demo
from portal.access import roles_of
from portal.checks import deployment_check
from portal.models import AuditEntry, Membership, Region, Role, Supervisee, User

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_and_idempotent():
    today = datetime.date(2026, 11, 22)
    demo.load(today)
    counts = (Supervisee.objects.count(), User.objects.count(), Region.objects.count())
    demo.load(today)
    assert (Supervisee.objects.count(), User.objects.count(), Region.objects.count()) == counts

    shandong = Supervisee.objects.filter(judicial_office__region__path__startswith="/370000/")
    assert shandong.count() == 30
    assert Supervisee.objects.filter(is_minor=True).count() == 2
    assert Supervisee.objects.filter(status=Supervisee.Status.RELEASED).count() == 2
    assert set(Supervisee.objects.values_list("supervision_level", flat=True)) == {
        "strict",
        "standard",
        "lenient",
    }
    assert len(set(Supervisee.objects.values_list("sentence_type", flat=True))) >= 3
    assert Region.objects.get(code="370883").name == "邹城市"
    assert Region.objects.get(code="620102").parent.parent.name == "甘肃省"

    held = set()
    for username in demo.DEMO_USERNAMES:
        held |= roles_of(User.objects.get(username=username))
    assert held == set(Role.values)
    assert Membership.objects.get(user__username="volunteer_applicant").status == "pending"
    assert User.objects.get(username="newcomer").must_change_password


def test_demo_people_are_valid_records():
    demo.load(datetime.date(2026, 11, 22))
    for person in Supervisee.objects.all():
        person.full_clean()


def test_seed_command_prints_every_login(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for username in demo.DEMO_USERNAMES:
        assert username in out
    assert demo.DEMO_PASSWORD in out
    assert not AuditEntry.objects.exclude(action__in=["login", "logout"]).exists()
    # The demo videos are generated here, offline, and ready to watch; so is the recording of
    # the live class held three days ago (a make-up lesson, without captions).
    from live.models import LiveClass
    from media.demo import DEMO_VIDEOS
    from media.models import Video

    replay = LiveClass.objects.get(replay__isnull=False).replay.video
    videos = Video.objects.exclude(pk=replay.pk)
    assert videos.count() == len(DEMO_VIDEOS)
    assert all(video.is_ready and video.captions.count() == 1 for video in videos)
    assert replay.is_ready
    # Hours this month: the demo supervisee part-way, someone complete, others short.
    from courses.compliance import rows_for, scope
    from courses.models import HourCredit

    caseworker = User.objects.get(username="caseworker")
    rows = {r.supervisee.pk: r for r in rows_for(caseworker, scope(caseworker))}
    partial = rows[User.objects.get(username="supervisee").supervisee.pk]
    assert 0 < partial.study.done < partial.study.required
    assert 0 < partial.service.done < partial.service.required
    assert partial.study.percent > 0 and not partial.orientation_overdue
    assert any(not r.is_short for r in rows.values())
    assert sum(r.is_short for r in rows.values()) >= 2
    assert rows[User.objects.get(username="newcomer").supervisee.pk].orientation_overdue
    credits = HourCredit.objects.count()
    renditions = list(Video.objects.order_by("pk").values_list("rendition_dir", flat=True))
    call_command("seed_demo")  # again: nothing new, nothing reprocessed
    assert list(Video.objects.order_by("pk").values_list("rendition_dir", flat=True)) == renditions
    assert HourCredit.objects.count() == credits


def test_seeding_is_refused_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_deploy_checks_flag_single_process_defaults(settings, monkeypatch):
    monkeypatch.delenv("PORTAL_TRUSTED_PROXY_COUNT", raising=False)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    ids = {problem.id for problem in deployment_check(None)}
    assert {"portal.E010", "portal.E011", "portal.E012"} <= ids


def test_deploy_checks_pass_with_shared_services(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_TRUSTED_PROXY_COUNT", "1")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    settings.DEBUG = False
    problems = {problem.id for problem in deployment_check(None)}
    # Only the SQLite advice remains when the suite itself runs on SQLite.
    assert problems <= {"portal.W013"}
