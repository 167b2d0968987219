"""Signed-in viewing: the watch page and the protected files behind the player."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .access import access_video
from .delivery import deliver
from .models import VideoCaption

# Names a published rendition folder may hold; anything else (the original, say) is never served.
RENDITION_FILE = re.compile(
    r"^(?:master\.m3u8|stream_\d{1,2}\.m3u8|stream_\d{1,2}_\d{5}\.ts|fallback\.mp4|poster\.jpg)$"
)


@require_GET
@login_required
def rendition(request, key, rev: str, name: str):
    video = access_video(request.user, key=key)
    if not (video.is_ready and rev == video.rendition_dir and RENDITION_FILE.match(name)):
        raise Http404
    return deliver(request, video.published_name(name))


@require_GET
@login_required
def caption(request, key, pk: int):
    video = access_video(request.user, key=key)
    track = get_object_or_404(VideoCaption, pk=pk, video=video)
    return deliver(request, track.file.name)


@require_GET
@login_required
def watch(request, pk: int):
    video = access_video(request.user, pk=pk)
    return render(request, "media/watch.html", {"video": video})
