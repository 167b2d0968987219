"""Checks on uploaded files, run by the admin forms before anything is stored."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_CAPTION_BYTES = 1024 * 1024
_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t].*)?$")


def max_upload_bytes() -> int:
    return settings.MEDIA_MAX_UPLOAD_MB * 1024 * 1024


def validate_upload_size(file) -> None:
    if file.size > max_upload_bytes():
        raise ValidationError(
            _("The file is %(size)s; the largest permitted upload is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(max_upload_bytes())},
            code="too_large",
        )


def _seconds(hours, minutes, seconds, millis) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_webvtt(text: str) -> int:
    """Return the number of cues in a WebVTT document, or raise ValidationError."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ValidationError(_("A WebVTT file must begin with the line “WEBVTT”."))
    cues = 0
    for number, line in enumerate(lines[1:], start=2):
        if "-->" not in line:
            continue
        match = _TIMING.match(line.strip())
        if not match:
            raise ValidationError(
                _("Line %(line)d: the cue timing is not in the form 00:00:01.000 --> 00:00:04.000.")
                % {"line": number}
            )
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end <= start:
            raise ValidationError(
                _("Line %(line)d: a cue must end after it starts.") % {"line": number}
            )
        cues += 1
    if cues == 0:
        raise ValidationError(_("The WebVTT file contains no captions."))
    return cues


def validate_webvtt(file) -> None:
    if file.size > MAX_CAPTION_BYTES:
        raise ValidationError(_("A caption file may be at most 1 MB."))
    file.seek(0)
    raw = file.read()
    file.seek(0)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Save the caption file as UTF-8 text.")) from exc
    parse_webvtt(text)
