"""Notifications: always in the app, and by SMS or email where PORTAL_NOTIFY_CHANNELS says so.

Text messages go through a pluggable backend (console by default).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def send_sms(phone: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone, text)


def notify(user, key: str, text: str, link: str = "") -> bool:
    """Tell `user` something once per `key`. Returns False if it was already sent."""
    from .models import Notification

    try:
        with transaction.atomic():
            Notification.objects.create(user=user, key=key, text=text, link=link)
    except IntegrityError:
        return False
    transaction.on_commit(lambda: _forward(user, text))
    return True


def _forward(user, text: str) -> None:
    channels = settings.PORTAL_NOTIFY_CHANNELS
    try:
        if "sms" in channels and user.phone:
            send_sms(user.phone, text)
        if "email" in channels and user.email:
            send_mail(str(text)[:60], str(text), None, [user.email])
    except Exception:  # a failed SMS or mail must not undo the in-app notification
        logger.exception("could not forward a notification to user %s", user.pk)
