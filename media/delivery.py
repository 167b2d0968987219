"""Hand a stored video file to the browser: by this process, by nginx, or by object storage.

Every URL carries the rendition folder's token, so a file's content never changes under its URL:
responses are cacheable for a day by the browser (private: only signed-in users may fetch them).
"""

import re

from django.conf import settings
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)

from .models import video_storage

CACHE_CONTROL = "private, max-age=86400, immutable"
CONTENT_TYPES = {
    "m3u8": "application/vnd.apple.mpegurl",
    "ts": "video/mp2t",
    "mp4": "video/mp4",
    "jpg": "image/jpeg",
    "vtt": "text/vtt; charset=utf-8",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def deliver(request, name: str) -> HttpResponse:
    """The response for storage `name`; 404 is the caller's business (the file exists)."""
    content_type = CONTENT_TYPES[name.rsplit(".", 1)[1]]
    etag = f'"{name.replace("/", "-")}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    elif settings.MEDIA_DELIVERY == "accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX + name
    elif settings.MEDIA_DELIVERY == "redirect" and not name.endswith(".m3u8"):
        # Playlists stay on this origin: their relative segment URLs must resolve here.
        response = HttpResponseRedirect(video_storage().url(name))
        response["Cache-Control"] = "private, max-age=60"
        return response
    else:
        response = _file_response(request, name, content_type)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _file_response(request, name: str, content_type: str) -> HttpResponse:
    """Stream the file, honouring a single byte range (players seek in the MP4 fallback)."""
    storage = video_storage()
    size = storage.size(name)
    handle = storage.open(name, "rb")
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and size and any(match.groups()):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(size - int(last), 0), size - 1
        if start > end or start >= size:
            handle.close()
            response = HttpResponse(status=416, content_type=content_type)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        response = StreamingHttpResponse(
            _limited(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    return response


def _limited(handle, length: int, chunk: int = 64 * 1024):
    try:
        while length > 0:
            data = handle.read(min(chunk, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()
