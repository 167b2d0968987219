"""Editors manage videos in the Wagtail admin: upload, form errors, captions, status, retry."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from media.models import Failure, Status, Video

from .conftest import make_video

pytestmark = pytest.mark.django_db
ADD = "wagtailsnippets_media_video:add"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n第一句字幕\n".encode()


@pytest.fixture
def editor(world, client_for):
    world.editor.groups.add(Group.objects.get(name="Editors"))
    return client_for(world.editor)


def form_data(path=None, content=None, name="lesson.mp4", captions=()):
    data = {
        "title": "入矫第一课",
        "description": "",
        "captions-TOTAL_FORMS": str(len(captions)),
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "1000",
    }
    if path is not None:
        content = path.read_bytes()
    if content is not None:
        data["original"] = SimpleUploadedFile(name, content, content_type="video/mp4")
    for i, (language, vtt) in enumerate(captions):
        data.update(
            {
                f"captions-{i}-language": language,
                f"captions-{i}-label": "",
                f"captions-{i}-file": SimpleUploadedFile(f"{language}.vtt", vtt),
                f"captions-{i}-ORDER": str(i + 1),
                f"captions-{i}-id": "",
                f"captions-{i}-DELETE": "",
            }
        )
    return data


def test_upload_creates_a_video_queues_it_and_answers_the_progress_script(
    editor, sample, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse(ADD),
            form_data(sample["small"], captions=[("zh-Hans", VTT)]),
            HTTP_X_VIDEO_UPLOAD="1",
        )
    assert response.status_code == 200, response.content[:2000]
    video = Video.objects.get()
    assert response.json() == {
        "location": reverse("wagtailsnippets_media_video:edit", args=[video.pk])
    }
    assert (video.status, video.original_name) == (Status.UPLOADED, "lesson.mp4")
    assert video.original_size == sample["small"].stat().st_size
    assert video.captions.get().language == "zh-Hans"
    task = DBTaskResult.objects.get(task_path="media.tasks.process_video")
    assert (task.queue_name, task.args_kwargs["args"]) == ("media", [video.pk])


def test_an_empty_file_is_a_form_error_and_the_title_is_kept(editor, sample):
    response = editor.post(reverse(ADD), form_data(sample["empty"]), HTTP_X_VIDEO_UPLOAD="1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "所提交的是空文件" in page
    assert 'value="入矫第一课"' in page
    assert not Video.objects.exists()


def test_an_oversize_file_is_a_form_error(editor, settings):
    settings.MEDIA_MAX_UPLOAD_MB = 1
    response = editor.post(reverse(ADD), form_data(content=b"\0" * (1024 * 1024 + 1)))
    assert "允许上传的最大文件为 1.0\xa0MB" in response.content.decode()
    assert not Video.objects.exists()


def test_a_file_with_the_wrong_extension_is_a_form_error(editor, sample):
    response = editor.post(reverse(ADD), form_data(sample["small"], name="lesson.exe"))
    assert "exe" in response.content.decode()
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    ("vtt", "message"),
    [
        (b"00:00:00.000 --> 00:00:01.000\nhi\n", "必须以“WEBVTT”一行开头"),
        (b"WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nhi\n", "第 3 行：字幕的结束时间必须晚于"),
        (b"WEBVTT\n\n0:1 --> 0:2\nhi\n", "第 3 行：字幕时间格式应为"),
        (b"WEBVTT\n", "WebVTT 文件中没有字幕"),
        ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n字幕\n".encode("gbk"), "UTF-8"),
    ],
)
def test_bad_caption_files_are_form_errors(editor, sample, vtt, message):
    response = editor.post(reverse(ADD), form_data(sample["small"], captions=[("en", vtt)]))
    assert message in response.content.decode()
    assert not Video.objects.exists()


def test_the_edit_page_shows_failure_reason_and_retry_queues_again(
    editor, sample, django_capture_on_commit_callbacks
):
    video = make_video(sample["audio"])
    Video.objects.filter(pk=video.pk).update(status=Status.FAILED, failure=Failure.AUDIO_ONLY)
    edit = editor.get(reverse("wagtailsnippets_media_video:edit", args=[video.pk]))
    page = edit.content.decode()
    assert "文件只有声音没有画面，请上传视频。" in page
    assert reverse("wagtailsnippets_media_video:retry", args=[video.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(reverse("wagtailsnippets_media_video:retry", args=[video.pk]))
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.status == Status.UPLOADED
    assert DBTaskResult.objects.filter(args_kwargs__args=[video.pk]).exists()


def test_status_endpoint_reports_progress_to_editors_only(editor, sample, world, client_for):
    video = make_video(sample["small"])
    Video.objects.filter(pk=video.pk).update(status=Status.PROCESSING, progress=42)
    url = reverse("wagtailsnippets_media_video:status") + f"?ids={video.pk}"
    assert editor.get(url).json()[str(video.pk)] == {
        "status": "processing",
        "label": "处理中",
        "progress": 42,
        "failure": "",
    }
    listing = editor.get(reverse("wagtailsnippets_media_video:list")).content.decode()
    assert 'data-video-status="processing"' in listing
    assert client_for(world.supervisee_user).get(url).status_code in (302, 403)


def test_the_video_chooser_lists_videos(editor, sample):
    make_video(sample["small"], title="每月一主题：法治")
    chooser = editor.get(reverse("wagtailsnippetchoosers_media_video:choose"))
    assert "每月一主题：法治" in chooser.json()["html"]


def test_editing_the_title_keeps_the_original_and_does_not_reprocess(editor, sample):
    video = make_video(sample["small"])
    Video.objects.filter(pk=video.pk).update(status=Status.READY, rendition_dir="r1")
    data = form_data()
    data["title"] = "新标题"
    response = editor.post(reverse("wagtailsnippets_media_video:edit", args=[video.pk]), data)
    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.title, video.status, video.rendition_dir) == ("新标题", Status.READY, "r1")
    assert not DBTaskResult.objects.filter(task_path="media.tasks.process_video").exists()
    edit_page = editor.get(reverse("wagtailsnippets_media_video:edit", args=[video.pk]))
    assert "/original/" not in edit_page.content.decode()  # the original is never linked
