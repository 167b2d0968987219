from django import template
from django.urls import reverse

from media.models import Video

register = template.Library()


def rendition_url(video: Video, name: str) -> str:
    return reverse("media:rendition", args=[video.key, video.rendition_dir, name])


@register.inclusion_tag("media/player.html")
def video_player(
    video: Video,
    *,
    resume_at: float = 0,
    watched_until: float | None = None,
    no_seek_ahead: bool = False,
    max_rate: float = 2.0,
    label: str = "",
):
    """The platform's video player. Lessons pass a resume position and the seek rule.

    `no_seek_ahead` stops seeking beyond the furthest point watched so far (`watched_until`,
    by default the resume position); the player emits `player:ready` for progress reporting.
    """
    if not video.is_ready:
        return {"video": video, "ready": False}
    return {
        "video": video,
        "ready": True,
        "label": label or video.title,
        "master": rendition_url(video, "master.m3u8"),
        "fallback": rendition_url(video, "fallback.mp4"),
        "poster": rendition_url(video, "poster.jpg"),
        "captions": [
            {
                "url": reverse("media:caption", args=[video.key, track.pk]),
                "language": track.language,
                "label": track.display_label,
            }
            for track in video.captions.all()
        ],
        "resume_at": resume_at,
        "watched_until": resume_at if watched_until is None else watched_until,
        "no_seek_ahead": no_seek_ahead,
        "max_rate": max_rate,
    }
