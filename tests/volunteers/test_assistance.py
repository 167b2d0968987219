"""Assistance logs: who may write them (caseworker, the social worker of the caseload, the
mentor of an active pairing), private attachments served only within scope, bad input
refused without losing what was typed, follow-ups, and the social worker's caseload."""

import datetime
import io
import re

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.volunteers.conftest import active
from volunteers.models import AssistanceLog, Attachment

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def picture(kind: str, exif: bool = False) -> bytes:
    """A small real JPEG or PNG; with `exif`, carrying a camera model and a GPS position."""
    buffer = io.BytesIO()
    extra = {}
    if exif:
        tags = Image.Exif()
        tags[0x0110] = "手机相机"  # Model
        tags[0x8825] = {1: "N", 2: (34.0, 51.0, 24.0)}  # GPSInfo: latitude
        extra["exif"] = tags.tobytes()
    Image.new("RGB", (8, 8), "white").save(buffer, format=kind, **extra)
    return buffer.getvalue()


PNG = picture("PNG")


@pytest.fixture(autouse=True)
def caseload_since_last_month(world):
    """The social worker has had the caseload for a month."""
    world.social_worker.caseload.update(assigned_at=timezone.now() - datetime.timedelta(days=30))


def values(**change) -> dict:
    data = {
        "kind": "dibao",
        "held_on": TODAY.isoformat(),
        "minutes": 90,
        "summary": "陪同到民政所申请低保，材料已递交。",
        "outcome": "受理，等待审批",
        "follow_up": "电话询问审批结果",
        "follow_up_due": (TODAY + datetime.timedelta(days=10)).isoformat(),
    }
    data.update(change)
    return data


def record(client, supervisee, files=(), **change):
    data = values(**change)
    if files:
        data["files"] = list(files)
    return client.post(f"/mentoring/people/{supervisee.pk}/assistance/new/", data)


def test_a_social_worker_records_help_with_a_private_file(world, client_for):
    upload = SimpleUploadedFile("申请表.pdf", PDF, content_type="application/pdf")
    response = record(client_for(world.social_worker), world.adult, [upload])
    assert response.status_code == 302
    log = AssistanceLog.objects.get()
    assert (log.author, log.kind, log.minutes, log.hours_status) == (
        world.social_worker,
        "dibao",
        90,
        "pending",
    )
    attachment = log.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.name == "申请表.pdf"
    # Private storage under a random name: neither the person nor the file name shows.
    assert attachment.file.storage is storages["private"]
    assert re.fullmatch(r"assistance/[0-9a-f]{32}\.pdf", attachment.file.name)

    caseworker = client_for(world.caseworker)
    timeline = caseworker.get(f"/mentoring/people/{world.adult.pk}/timeline/").content.decode()
    assert "最低生活保障（低保）" in timeline and "陪同到民政所申请低保" in timeline
    detail = caseworker.get(f"/mentoring/assistance/{log.pk}/").content.decode()
    assert f"/mentoring/attachments/{attachment.pk}/" in detail
    download = caseworker.get(f"/mentoring/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith("attachment")


def test_files_and_logs_stay_inside_the_scope(world, mentors, client_for):
    log = AssistanceLog.objects.create(
        supervisee=world.adult,
        author=world.social_worker,
        kind="housing",
        held_on=TODAY,
        minutes=30,
        summary="联系廉租房",
    )
    attachment = Attachment.objects.create(
        log=log,
        file=SimpleUploadedFile("a.png", PNG),
        name="a.png",
        content_type="image/png",
        size=len(PNG),
        uploaded_by=world.social_worker,
    )
    for user in (world.other_caseworker, world.jining_official):
        client = client_for(user)
        assert client.get(f"/mentoring/assistance/{log.pk}/").status_code == 404
        assert client.get(f"/mentoring/attachments/{attachment.pk}/").status_code == 404
        assert record(client, world.adult).status_code in (403, 404)
    # A mentor with no pairing, and a base operator, get nothing either.
    assert (
        client_for(world.mentor).get(f"/mentoring/attachments/{attachment.pk}/").status_code == 404
    )
    assert (
        client_for(world.operator).get(f"/mentoring/attachments/{attachment.pk}/").status_code
        == 403
    )
    # The social worker writes only for the caseload.
    assert record(client_for(world.social_worker), world.kuangqu_person).status_code == 404
    assert AssistanceLog.objects.count() == 1


def test_a_minors_files_only_for_those_who_see_the_minor_in_full(world, client_for):
    upload = SimpleUploadedFile("学籍证明.jpg", picture("JPEG"))
    assert record(client_for(world.caseworker), world.minor, [upload]).status_code == 302
    log = AssistanceLog.objects.get()
    attachment = log.attachments.get()
    assert log.hours_status == "none"  # the caseworker's own job, not volunteer time
    social_worker = client_for(world.social_worker)  # has the minor on the caseload, masked
    page = social_worker.get(f"/mentoring/assistance/{log.pk}/").content.decode()
    assert "李**" in page and "李小龙" not in page and "学籍证明" not in page
    assert social_worker.get(f"/mentoring/attachments/{attachment.pk}/").status_code == 404
    assert (
        client_for(world.caseworker).get(f"/mentoring/attachments/{attachment.pk}/").status_code
        == 200
    )


def test_a_mentor_records_help_for_a_mentee_only(world, mentors, client_for):
    mentor = client_for(world.mentor)
    assert record(mentor, world.adult).status_code == 404  # not paired yet
    active(world, world.adult)
    assert record(mentor, world.adult).status_code == 302
    log = AssistanceLog.objects.get()
    assert (log.author, log.hours_status) == (world.mentor, "pending")
    assert mentor.get(f"/mentoring/assistance/{log.pk}/").status_code == 200
    assert record(mentor, world.kuangqu_person).status_code == 404


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"held_on": "2099-01-01"}, "将来"),
        ({"minutes": -5}, "1"),
        ({"minutes": 800}, "720"),
        ({"follow_up_due": "2000-01-01"}, "早于"),
        ({"follow_up_due": ""}, "跟进期限"),
        ({"held_on": "2001-01-01", "follow_up_due": ""}, "尚未开始社区矫正"),
        ({"kind": ""}, "必需"),
    ],
)
def test_bad_assistance_is_refused_and_nothing_typed_is_lost(world, client_for, change, words):
    response = record(client_for(world.social_worker), world.adult, **change)
    html = response.content.decode()
    assert response.status_code == 400 and words in html
    assert "陪同到民政所申请低保，材料已递交。" in html and "电话询问审批结果" in html
    assert not AssistanceLog.objects.exists()


def test_files_are_checked_by_their_content_and_size(world, client_for, settings):
    client = client_for(world.social_worker)
    fake = SimpleUploadedFile("照片.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = record(client, world.adult, [fake])
    assert response.status_code == 400 and "不是 PDF、JPEG 或 PNG 文件" in response.content.decode()
    settings.VOLUNTEERS_ATTACHMENT_MAX_MB = 0
    response = record(client, world.adult, [SimpleUploadedFile("a.pdf", PDF)])
    assert response.status_code == 400 and "超过 0 MB" in response.content.decode()
    assert "陪同到民政所申请低保" in response.content.decode()
    assert not AssistanceLog.objects.exists() and not Attachment.objects.exists()
    # A PNG sent under a misleading name is kept as what it is.
    settings.VOLUNTEERS_ATTACHMENT_MAX_MB = 10
    record(client, world.adult, [SimpleUploadedFile("扫描件.pdf", PNG, "application/pdf")])
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.name) == ("image/png", "扫描件.png")


def test_the_caseload_shows_overdue_follow_ups_and_only_the_caseload(world, client_for):
    client = client_for(world.social_worker)
    record(
        client,
        world.adult,
        follow_up="回访家属",
        held_on=(TODAY - datetime.timedelta(days=9)).isoformat(),
        follow_up_due=(TODAY - datetime.timedelta(days=2)).isoformat(),
    )
    record(client, world.minor, follow_up="学校走访")
    page = client.get("/mentoring/caseload/").content.decode()
    assert "张三丰" in page and "李**" in page and "赵六" not in page and "孙七" not in page
    overdue, upcoming = page.index("回访家属"), page.index("学校走访")
    assert overdue < upcoming  # the overdue one first
    assert page[:overdue].count("逾期") == 1

    log = AssistanceLog.objects.get(follow_up="回访家属")
    # Only the author marks it done; the caseworker may read it but not tick it off.
    caseworker = client_for(world.caseworker)
    caseworker.post(f"/mentoring/follow-ups/assistance/{log.pk}/done/")
    log.refresh_from_db()
    assert log.follow_up_done_on is None
    client.post(f"/mentoring/follow-ups/assistance/{log.pk}/done/")
    log.refresh_from_db()
    assert log.follow_up_done_on == TODAY
    assert "回访家属" not in client.get("/mentoring/caseload/").content.decode()
    assert client_for(world.caseworker).get("/mentoring/caseload/").status_code == 403


def test_photos_lose_their_metadata_and_broken_pictures_are_refused(world, client_for):
    client = client_for(world.social_worker)
    photo = SimpleUploadedFile("现场.jpg", picture("JPEG", exif=True))
    assert b"Exif" in photo.read(64)
    photo.seek(0)
    assert record(client, world.adult, [photo]).status_code == 302
    stored = Attachment.objects.get().file.read()
    assert stored.startswith(b"\xff\xd8\xff") and b"Exif" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    broken = SimpleUploadedFile("坏图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    response = record(client, world.adult, [broken])
    assert response.status_code == 400 and "无法打开" in response.content.decode()


def test_help_is_not_backdated_before_the_case_was_taken_on(world, mentors, client_for):
    mentor = client_for(world.mentor)
    active(world, world.adult, starts_on=TODAY - datetime.timedelta(days=3))
    before = (TODAY - datetime.timedelta(days=10)).isoformat()
    response = record(mentor, world.adult, held_on=before, follow_up_due="")
    assert response.status_code == 400
    assert "起开始填写" in response.content.decode()
    world.social_worker.caseload.update(assigned_at=timezone.now())
    response = record(client_for(world.social_worker), world.adult, held_on=before)
    assert response.status_code == 400 and not AssistanceLog.objects.exists()


def test_logs_and_files_go_with_the_case(world, mentors, client_for):
    upload = SimpleUploadedFile("a.pdf", PDF)
    assert record(client_for(world.social_worker), world.adult, [upload]).status_code == 302
    log = AssistanceLog.objects.get()
    attachment = log.attachments.get()
    world.social_worker.caseload.update(ended_at=timezone.now())
    client = client_for(world.social_worker)
    assert client.get(f"/mentoring/assistance/{log.pk}/").status_code == 404
    assert client.get(f"/mentoring/attachments/{attachment.pk}/").status_code == 404
    # A mentor sees their own logs of a mentee, not the social worker's.
    active(world, world.adult)
    assert client_for(world.mentor).get(f"/mentoring/assistance/{log.pk}/").status_code == 404


def test_a_deleted_attachment_takes_its_file_along(
    world, client_for, django_capture_on_commit_callbacks
):
    record(client_for(world.social_worker), world.adult, [SimpleUploadedFile("a.pdf", PDF)])
    attachment = Attachment.objects.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert not storage.exists(name)


def test_an_oversized_request_is_refused_before_it_is_read(world, client_for, settings):
    settings.VOLUNTEERS_ATTACHMENT_MAX_MB = 0  # the request may carry 1 MB in all
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (2 * 1024 * 1024))
    client = client_for(world.social_worker)
    response = record(client, world.adult, [big])
    assert response.status_code == 302 and response["Location"].endswith("/assistance/new/")
    page = client.get(response["Location"]).content.decode()
    assert "文件总量过大" in page
    assert not AssistanceLog.objects.exists() and not Attachment.objects.exists()
