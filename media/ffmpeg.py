"""Everything that runs ffmpeg: probing, the HLS ladder, the MP4 fallback and the poster.

Command lines are built with ffmpeg-python. The binary is the one in the imageio-ffmpeg wheel
unless FFMPEG_BINARY names a system ffmpeg. That wheel ships no ffprobe, so probing reads the
stream summary ffmpeg prints for its input.
"""

import ctypes
import io
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
from django.conf import settings
from PIL import Image

POSTER_SIZE = (1280, 720)
MAX_FPS = 30


def binary() -> str:
    if settings.FFMPEG_BINARY:
        return settings.FFMPEG_BINARY
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


class FfmpegError(Exception):
    """ffmpeg refused the input or stopped with an error; `detail` is the tail of its log."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    fps: float
    has_video: bool
    has_audio: bool


@dataclass(frozen=True)
class Rung:
    height: int
    video_kbps: int
    audio_kbps: int


_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\d+:\d+\S*: (Video|Audio): (.*)")
_SIZE = re.compile(r", (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r", (\d+(?:\.\d+)?) fps")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")


def _kill_with_parent() -> None:
    """Run in the child: die when the worker dies, so a killed job leaves no ffmpeg behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def probe(path: Path) -> Probe:
    """Read duration, picture size, frame rate and stream kinds of a media file."""
    result = subprocess.run(  # noqa: S603  (fixed binary, argument list, no shell)
        [binary(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    log = result.stderr
    if "Input #0" not in log:
        raise FfmpegError(_tail(log))
    duration = 0.0
    if match := _DURATION.search(log):
        h, m, s = match.groups()
        duration = int(h) * 3600 + int(m) * 60 + float(s)
    width = height = 0
    fps = 0.0
    has_video = has_audio = False
    for kind, description in _STREAM.findall(log):
        if kind == "Audio":
            has_audio = True
        elif (
            "(attached pic)" not in description
            and not has_video
            and (size := _SIZE.search(description))
        ):
            has_video = True
            width, height = int(size.group(1)), int(size.group(2))
            if fps_match := _FPS.search(description):
                fps = float(fps_match.group(1))
    if (rotation := _ROTATION.search(log)) and abs(float(rotation.group(1))) % 180 == 90:
        width, height = height, width
    return Probe(duration, width, height, fps, has_video, has_audio)


def ladder(source_height: int) -> list[Rung]:
    """The configured rungs no taller than the source; a short source gets one rung its size."""
    rungs = []
    for item in settings.MEDIA_HLS_LADDER.split(","):
        height, video_kbps, audio_kbps = (int(part) for part in item.split(":"))
        rungs.append(Rung(height, video_kbps, audio_kbps))
    rungs.sort(key=lambda rung: rung.height)
    fitting = [rung for rung in rungs if rung.height <= source_height]
    if not fitting:
        lowest = rungs[0]
        fitting = [Rung(source_height - source_height % 2, lowest.video_kbps, lowest.audio_kbps)]
    return fitting


def hls_command(source: Path, out_dir: Path, info: Probe, rungs: list[Rung]) -> list[str]:
    """The single ffmpeg run that writes every rung, the variant playlists and the master."""
    segment = settings.MEDIA_HLS_SEGMENT_SECONDS
    stream = ffmpeg.input(str(source))
    picture = stream.video
    if info.fps > MAX_FPS:
        picture = picture.filter("fps", MAX_FPS)
    copies = picture.filter_multi_output("split", len(rungs))
    outputs, stream_map, options = [], [], {}
    for i, rung in enumerate(rungs):
        outputs.append(copies[i].filter("scale", -2, rung.height))
        options[f"b:v:{i}"] = f"{rung.video_kbps}k"
        options[f"maxrate:v:{i}"] = f"{rung.video_kbps * 107 // 100}k"
        options[f"bufsize:v:{i}"] = f"{rung.video_kbps * 3 // 2}k"
        if info.has_audio:
            outputs.append(stream.audio)
            options[f"b:a:{i}"] = f"{rung.audio_kbps}k"
            stream_map.append(f"v:{i},a:{i}")
        else:
            stream_map.append(f"v:{i}")
    if info.has_audio:
        options.update({"c:a": "aac", "ac": 2, "ar": 44100})
    command = ffmpeg.output(
        *outputs,
        str(out_dir / "stream_%v.m3u8"),
        f="hls",
        hls_time=segment,
        hls_playlist_type="vod",
        hls_segment_filename=str(out_dir / "stream_%v_%05d.ts"),
        master_pl_name="master.m3u8",
        var_stream_map=" ".join(stream_map),
        force_key_frames=f"expr:gte(t,n_forced*{segment / 2:g})",
        sc_threshold=0,
        pix_fmt="yuv420p",
        preset=settings.MEDIA_X264_PRESET,
        **{"c:v": "libx264", "profile:v": "main"},
        **options,
    )
    return command_line(command)


def command_line(node) -> list[str]:
    """The argument list for an ffmpeg-python output node, quiet but for errors."""
    return [binary(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *node.get_args()]


def run(
    command: list[str], duration: float = 0, on_progress: Callable[[float], bool] | None = None
) -> None:
    """Run ffmpeg; report the fraction done; stop it when `on_progress` returns False."""
    if on_progress:
        command = [*command[:1], "-progress", "pipe:1", "-nostats", *command[1:]]
    process = subprocess.Popen(  # noqa: S603  (fixed binary, argument list, no shell)
        command,
        stdout=subprocess.PIPE if on_progress else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=_kill_with_parent,
    )
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
    reader.start()
    try:
        if on_progress:
            for raw in process.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key != "out_time_us" or not value.isdigit() or duration <= 0:
                    continue
                if not on_progress(min(int(value) / 1_000_000 / duration, 1.0)):
                    process.kill()
                    break
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=5)
    if process.returncode != 0:
        raise FfmpegError(_tail(b"".join(errors).decode("utf-8", "replace")))


def mp4_fallback(variant_playlist: Path, target: Path) -> None:
    """Remux the lowest rung into one progressive MP4 (moov atom first), without re-encoding."""
    command = ffmpeg.input(str(variant_playlist)).output(
        str(target), c="copy", movflags="+faststart", **{"bsf:a": "aac_adtstoasc"}
    )
    run(command_line(command))


def poster(source: Path, target: Path, at_seconds: float) -> None:
    """One frame, scaled to fit 1280x720 and saved as a compact progressive JPEG."""
    command = (
        ffmpeg.input(str(source), ss=f"{at_seconds:.2f}")
        .output("pipe:", vframes=1, f="image2pipe", vcodec="png")
        .get_args()
    )
    result = subprocess.run(  # noqa: S603  (fixed binary, argument list, no shell)
        [binary(), "-hide_banner", "-nostdin", "-loglevel", "error", *command],
        capture_output=True,
        timeout=120,
    )
    if result.returncode != 0 or not result.stdout:
        raise FfmpegError(_tail(result.stderr.decode("utf-8", "replace")) or "no frame")
    with Image.open(io.BytesIO(result.stdout)) as frame:
        image = frame.convert("RGB")
    image.thumbnail(POSTER_SIZE)
    image.save(target, "JPEG", quality=78, optimize=True, progressive=True)


def _tail(log: str, lines: int = 12) -> str:
    return "\n".join(log.strip().splitlines()[-lines:])
