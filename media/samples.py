"""Generated videos (test pattern, tone, title card) for the demo, the tests and the benchmark."""

import tempfile
from pathlib import Path

import ffmpeg as ffmpeg_python
from PIL import Image, ImageDraw, ImageFont

from . import ffmpeg

CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


def _font(size: int, text: str):
    if not text.isascii():
        for candidate in CJK_FONTS:
            if Path(candidate).exists():
                return ImageFont.truetype(candidate, size), text
        text = "".join(ch for ch in text if ch.isascii()).strip() or "Lesson"
    return ImageFont.load_default(size), text


def title_card(text: str, width: int, height: int, target: Path) -> None:
    """A translucent banner with the title, to lay over the test pattern."""
    size = max(height // 12, 12)
    font, text = _font(size, text)
    card = Image.new("RGBA", (width, size * 2), (0, 0, 0, 150))
    draw = ImageDraw.Draw(card)
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - box[2]) // 2, (size * 2 - box[3]) // 2), text, font=font, fill="white")
    card.save(target)


def generate(
    target: Path,
    *,
    seconds: float = 4,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    audio: bool = True,
    title: str = "",
) -> Path:
    """Write an H.264/AAC MP4 of a moving test pattern with a tone and an optional title."""
    picture = ffmpeg_python.input(f"testsrc2=size={width}x{height}:rate={fps}", f="lavfi")
    with tempfile.TemporaryDirectory() as work:
        if title:
            card = Path(work) / "title.png"
            title_card(title, width, height, card)
            picture = picture.overlay(ffmpeg_python.input(str(card)), x=0, y=height // 10)
        streams = [picture]
        if audio:
            tone = ffmpeg_python.input("sine=frequency=440:sample_rate=44100", f="lavfi")
            streams.append(tone)
        command = ffmpeg_python.output(
            *streams,
            str(target),
            t=seconds,
            pix_fmt="yuv420p",
            preset="ultrafast",
            **{"c:v": "libx264", "c:a": "aac"} if audio else {"c:v": "libx264"},
        )
        ffmpeg.run(ffmpeg.command_line(command))
    return target


def generate_audio(target: Path, seconds: float = 3) -> Path:
    """An audio-only file (AAC in MP4 container), for the bad-input cases."""
    command = ffmpeg_python.input("sine=frequency=330:sample_rate=44100", f="lavfi").output(
        str(target), t=seconds, **{"c:a": "aac"}
    )
    ffmpeg.run(ffmpeg.command_line(command))
    return target


def generate_webm(target: Path, seconds: float = 3, width: int = 320, height: int = 240) -> Path:
    """VP8/Opus WebM, as a browser's MediaRecorder sends it, for the live-broadcast tests."""
    picture = ffmpeg_python.input(f"testsrc2=size={width}x{height}:rate=25", f="lavfi")
    tone = ffmpeg_python.input("sine=frequency=440:sample_rate=48000", f="lavfi")
    command = ffmpeg_python.output(
        picture,
        tone,
        str(target),
        t=seconds,
        f="webm",
        deadline="realtime",
        **{"c:v": "libvpx", "b:v": "300k", "c:a": "libopus"},
    )
    ffmpeg.run(ffmpeg.command_line(command))
    return target
