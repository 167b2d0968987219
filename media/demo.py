"""Demo videos: generated locally with ffmpeg (no download) and processed before the demo opens."""

import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile

from . import processing, samples
from .models import Status, Video, VideoCaption

DEMO_VIDEOS = [
    ("入矫第一课：社区矫正须知", 20, "欢迎参加入矫教育。请认真观看，完成学习后系统会记录学时。"),
    ("每月一主题：遵纪守法", 15, "本月主题是遵纪守法。"),
    ("就业技能：求职面试准备", 15, "求职前请准备好简历和身份证明。"),
]


def _caption(text: str, seconds: int) -> bytes:
    return f"WEBVTT\n\n00:00:00.500 --> 00:00:{min(seconds - 1, 8):02d}.000\n{text}\n".encode()


def load(stdout=None) -> None:
    """Create and process the demo videos that are missing (idempotent)."""
    for title, seconds, subtitle in DEMO_VIDEOS:
        video = Video.objects.filter(title=title).first()
        if video is None:
            with tempfile.TemporaryDirectory() as work:
                source = samples.generate(
                    Path(work) / "demo.mp4", seconds=seconds, width=1280, height=720, title=title
                )
                video = Video(title=title, description=subtitle, original_name="demo.mp4")
                with source.open("rb") as handle:
                    video.original.save("demo.mp4", File(handle), save=False)
                video.original_size = video.original.size
                video.save()
            track = VideoCaption(video=video, language="zh-Hans")
            track.file.save("zh.vtt", ContentFile(_caption(subtitle, seconds)), save=True)
        if video.status != Status.READY:
            if stdout:
                stdout.write(f"Processing demo video “{title}” …")
            Video.objects.filter(pk=video.pk).update(status=Status.UPLOADED, claim="")
            processing.process(video.pk)
