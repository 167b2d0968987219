"""Closing a user's live-class sockets when the user signs out or is deactivated."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def close_sockets(user_id: int) -> None:
    """Every socket of the user, in every process, closes itself (see fanout.Users)."""
    from .fanout import USERS_GROUP

    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(USERS_GROUP, {"type": "session.end", "user": user_id})


def close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        close_sockets(user.pk)


def close_sockets_on_deactivation(sender, instance, **kwargs) -> None:
    if not instance.is_active:
        close_sockets(instance.pk)
