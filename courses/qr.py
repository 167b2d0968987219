"""Rotating group-class QR codes: the projector fetches a new signed token every
COURSES_QR_ROTATE_SECONDS, and each token is accepted for COURSES_QR_VALID_SECONDS only."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing

SALT = "courses.group-checkin"


def issue_token(session_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(session_id))


def read_token(token: str) -> int:
    """The session id of a token still within its validity; raises signing.BadSignature."""
    value = signing.TimestampSigner(salt=SALT).unsign(
        token, max_age=settings.COURSES_QR_VALID_SECONDS
    )
    return int(value)


def svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
