"""The platform's processing time for a 60 s 720p source against bare ffmpeg for the same ladder.

Bare ffmpeg runs the identical HLS ladder command and nothing else. The platform's run adds
everything a real upload costs: probing, progress reporting, the MP4 fallback, the poster,
publishing into the video store and the database updates. Each side runs twice, interleaved,
and the faster run of each counts, so a noisy neighbour does not decide the ratio.
"""

import shutil
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.10
ROUNDS = 2


def run() -> list[dict]:
    from django.core.files import File

    from media import ffmpeg, processing, samples
    from media.models import Video

    work = Path(tempfile.mkdtemp(prefix="bench-transcode-"))
    source = samples.generate(work / "source.mp4", seconds=60, width=1280, height=720)
    info = ffmpeg.probe(source)
    rungs = ffmpeg.ladder(info.height)
    bare_times, platform_times = [], []
    for round_ in range(ROUNDS):
        out = work / f"bare{round_}"
        out.mkdir()
        started = time.perf_counter()
        ffmpeg.run(ffmpeg.hls_command(source, out, info, rungs))
        bare_times.append(time.perf_counter() - started)

        video = Video(title=f"bench {round_}", original_name="source.mp4")
        with source.open("rb") as handle:
            video.original.save("source.mp4", File(handle), save=True)
        started = time.perf_counter()
        status = processing.process(video.pk)
        platform_times.append(time.perf_counter() - started)
        assert status == "ready", status
    shutil.rmtree(work, ignore_errors=True)

    bare, platform = min(bare_times), min(platform_times)
    ratio = platform / bare
    ladder = " + ".join(f"{rung.height}p" for rung in rungs)
    return [
        {
            "work": f"transcode 60 s 720p to HLS {ladder}, bare ffmpeg",
            "figure": f"{bare:.1f} s",
            "target": "reference",
            "ok": None,
        },
        {
            "work": "same, platform (probe, ladder, MP4 fallback, poster, publish)",
            "figure": f"{platform:.1f} s = {ratio:.3f} x bare",
            "target": f"≤ {TARGET_RATIO:.2f} x bare",
            "ok": ratio <= TARGET_RATIO,
        },
    ]
