"""Serving renditions and captions: signed-in only, published files only, cache and range."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from media import processing
from media.models import VideoCaption

from .conftest import make_video

pytestmark = pytest.mark.django_db
VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n\xe6\xac\xa2\xe8\xbf\x8e\n"


@pytest.fixture
def ready_video(sample):
    video = make_video(sample["small"], title="入矫第一课")
    processing.process(video.pk)
    video.refresh_from_db()
    return video


def url(video, name, rev=None):
    return reverse("media:rendition", args=[video.key, rev or video.rendition_dir, name])


def test_signed_in_users_get_playlists_segments_fallback_and_poster(ready_video, world, client_for):
    client = client_for(world.supervisee_user)
    master = client.get(url(ready_video, "master.m3u8"))
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert master["Cache-Control"] == "private, max-age=86400, immutable"
    variant = client.get(url(ready_video, "stream_0.m3u8"))
    segment_name = next(
        line
        for line in b"".join(variant.streaming_content).decode().splitlines()
        if line.endswith(".ts")
    )
    segment = client.get(url(ready_video, segment_name))
    assert (segment.status_code, segment["Content-Type"]) == (200, "video/mp2t")
    assert client.get(url(ready_video, "poster.jpg"))["Content-Type"] == "image/jpeg"
    assert client.get(url(ready_video, "fallback.mp4"))["Accept-Ranges"] == "bytes"


def test_anonymous_visitors_are_sent_to_sign_in(ready_video):
    response = Client().get(url(ready_video, "master.m3u8"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_published_files_are_served(ready_video, world, client_for):
    client = client_for(world.supervisee_user)
    assert client.get(url(ready_video, "master.m3u8", rev="0" * 32)).status_code == 404
    assert client.get(url(ready_video, "source.mp4")).status_code == 404
    assert client.get(url(ready_video, "..%2Foriginal%2Fsource.mp4")).status_code == 404
    original = f"/video/{ready_video.key}/original/source.mp4"
    assert client.get(original).status_code == 404


def test_videos_not_ready_are_hidden_from_viewers_but_not_from_editors(sample, world, client_for):
    from django.contrib.auth.models import Group

    video = make_video(sample["small"])
    watch = reverse("media:watch", args=[video.pk])
    assert client_for(world.supervisee_user).get(watch).status_code == 404
    world.editor.groups.add(Group.objects.get(name="Editors"))
    page = client_for(world.editor).get(watch)
    assert page.status_code == 200
    assert "正在准备" in page.content.decode()


def test_range_requests_on_the_fallback(ready_video, world, client_for):
    client = client_for(world.supervisee_user)
    whole = b"".join(client.get(url(ready_video, "fallback.mp4")).streaming_content)
    part = client.get(url(ready_video, "fallback.mp4"), HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[100:200]
    tail = client.get(url(ready_video, "fallback.mp4"), HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == whole[-10:]
    beyond = client.get(url(ready_video, "fallback.mp4"), HTTP_RANGE=f"bytes={len(whole)}-")
    assert beyond.status_code == 416


def test_revalidation_answers_not_modified(ready_video, world, client_for):
    client = client_for(world.supervisee_user)
    first = client.get(url(ready_video, "master.m3u8"))
    again = client.get(url(ready_video, "master.m3u8"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_nginx_and_object_storage_delivery(ready_video, world, client_for, settings):
    client = client_for(world.supervisee_user)
    settings.MEDIA_DELIVERY = "accel"
    accel = client.get(url(ready_video, "stream_0.m3u8"))
    assert accel["X-Accel-Redirect"] == (
        f"/protected-video/{ready_video.key}/{ready_video.rendition_dir}/stream_0.m3u8"
    )
    assert accel.content == b""

    settings.MEDIA_DELIVERY = "redirect"
    playlist = client.get(url(ready_video, "master.m3u8"))
    assert playlist.status_code == 200  # playlists stay here: their relative URLs resolve here
    poster = client.get(url(ready_video, "poster.jpg"))
    assert poster.status_code == 302


def test_captions_are_served_and_rendered_in_the_player(ready_video, world, client_for):
    track = VideoCaption(video=ready_video, language="zh-Hans")
    track.file.save("zh.vtt", ContentFile(VTT), save=True)
    client = client_for(world.supervisee_user)
    served = client.get(reverse("media:caption", args=[ready_video.key, track.pk]))
    assert served["Content-Type"] == "text/vtt; charset=utf-8"
    assert b"".join(served.streaming_content) == VTT

    page = client.get(reverse("media:watch", args=[ready_video.pk])).content.decode()
    assert f'src="{reverse("media:caption", args=[ready_video.key, track.pk])}"' in page
    assert 'srclang="zh-Hans" label="简体中文" default' in page
    assert 'data-hls="' + url(ready_video, "master.m3u8") + '"' in page
    assert "hls.light.min.js" in page


def test_a_caption_of_another_video_is_not_served(ready_video, sample, world, client_for):
    other = make_video(sample["small"])
    track = VideoCaption(video=other, language="en")
    track.file.save("en.vtt", ContentFile(VTT), save=True)
    client = client_for(world.supervisee_user)
    assert client.get(reverse("media:caption", args=[ready_video.key, track.pk])).status_code == 404


def test_player_options_for_lessons(ready_video):
    from django.template import Context, Template

    html = Template(
        "{% load media_player %}{% video_player v resume_at=42 no_seek_ahead=True max_rate=1.5 %}"
    ).render(Context({"v": ready_video}))
    assert 'data-resume-at="42.0"' in html
    assert 'data-watched-until="42.0"' in html
    assert 'data-no-seek-ahead="1"' in html
    assert 'data-max-rate="1.5"' in html
