"""Generated sample files and video factories for the media tests."""

from pathlib import Path

import pytest
from django.core.files import File

from media import samples
from media.models import Video


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """Sample inputs, made once per run: good videos, and every kind of bad one."""
    folder = tmp_path_factory.mktemp("samples")
    made = {
        "small": samples.generate(folder / "small.mp4", seconds=3, width=640, height=360),
        "hd": samples.generate(folder / "hd.mp4", seconds=3, width=1280, height=720),
        "silent": samples.generate(folder / "silent.mp4", seconds=2, audio=False),
        "audio": samples.generate_audio(folder / "audio.m4a"),
    }
    made["not_video"] = folder / "notes.mp4"
    made["not_video"].write_text("这不是视频文件。\n" * 100)
    made["empty"] = folder / "empty.mp4"
    made["empty"].write_bytes(b"")
    whole = made["small"].read_bytes()
    made["truncated"] = folder / "truncated.mp4"
    made["truncated"].write_bytes(whole[: len(whole) // 2])
    return made


def make_video(path: Path, title: str = "测试视频", **fields) -> Video:
    video = Video(title=title, original_name=path.name, **fields)
    with path.open("rb") as handle:
        video.original.save(path.name, File(handle), save=False)
    video.original_size = video.original.size
    video.save()
    return video
