"""Who may watch what. Course audiences narrow this further where a video is used."""

from django.http import Http404

from .models import Video


def can_manage_videos(user) -> bool:
    return user.is_active and user.has_perm("media.change_video")


def access_video(user, *, pk: int | None = None, key=None) -> Video:
    """A ready video for any signed-in user; editors also see it before it is ready. 404 else."""
    videos = Video.objects.all() if can_manage_videos(user) else Video.objects.ready()
    lookup = {"pk": pk} if pk is not None else {"key": key}
    video = videos.filter(**lookup).first()
    if video is None:
        raise Http404
    return video
