"""Who may watch what. Apps that use videos (courses) narrow this through audience checks."""

from collections.abc import Callable

from django.http import Http404

from .models import Video

AudienceCheck = Callable[[object, Video], bool]
_audience_checks: list[AudienceCheck] = []


def register_audience_check(check: AudienceCheck) -> None:
    """`check(user, video)` returns False when `user` is outside the video's audience."""
    if check not in _audience_checks:
        _audience_checks.append(check)


def can_manage_videos(user) -> bool:
    return user.is_active and user.has_perm("media.change_video")


def access_video(user, *, pk: int | None = None, key=None) -> Video:
    """A ready video for a signed-in user in its audience; editors see any video. 404 else."""
    manager = can_manage_videos(user)
    videos = Video.objects.all() if manager else Video.objects.ready()
    lookup = {"pk": pk} if pk is not None else {"key": key}
    video = videos.filter(**lookup).first()
    if video is None or not (manager or all(check(user, video) for check in _audience_checks)):
        raise Http404
    return video
