import datetime
import io

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from portal.forms import DateInput, PickedRowsField
from portal.models import Membership, Organisation, Region, Role
from portal.models.people import Need

from .models import AssistanceLog, MentoringSession, MentorProfile, Pairing


def minutes_field(most: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=most,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ProposeForm(forms.Form):
    """Choose one of the ranked candidates (see matching.candidates)."""

    mentor = forms.ModelChoiceField(
        label=_("Mentor"), queryset=get_user_model().objects.none(), widget=forms.HiddenInput
    )
    goals = forms.CharField(
        label=_("Goals"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors


class ProfileForm(forms.ModelForm):
    """What the volunteer says of themselves."""

    class Meta:
        model = MentorProfile
        fields = [
            "elder_kind",
            "helps_with",
            "skills",
            "languages",
            "regions",
            "capacity",
            "availability",
        ]
        widgets = {"skills": forms.CheckboxSelectMultiple}
        field_classes = {"skills": PickedRowsField, "regions": PickedRowsField}

    helps_with = forms.MultipleChoiceField(
        label=_("Can help with"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Areas inside the region of the volunteer's own group: the agency that screened the
        # volunteer is the one whose people they are offered to.
        groups = Q()
        for path in Membership.objects.filter(
            user=user, role=Role.MENTOR, organisation__kind=Organisation.Kind.VOLUNTEER_GROUP
        ).values_list("organisation__region__path", flat=True):
            groups |= Q(path__startswith=path)
        self.fields["regions"].queryset = (
            Region.objects.filter(groups, level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP])
            if groups
            else Region.objects.none()
        )
        self.fields["capacity"].validators.append(MaxValueValidator(10))


class ScreeningForm(forms.ModelForm):
    """What the agency records of the volunteer's screening."""

    class Meta:
        model = MentorProfile
        fields = [
            "background_check_on",
            "background_check_passed",
            "trained_on",
            "agreement_signed_on",
        ]
        widgets = {
            name: DateInput()
            for name in ("background_check_on", "trained_on", "agreement_signed_on")
        }

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("background_check_on", "trained_on", "agreement_signed_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("The date cannot be in the future."))
        if data.get("background_check_passed") is not None and not data.get("background_check_on"):
            self.add_error("background_check_on", _("Give the date of the background check."))
        return data


class StartForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["goals", "frequency", "starts_on"]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True


class CloseForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["closure", "closure_reason", "exit_notes"]
        widgets = {
            "closure_reason": forms.Textarea(attrs={"rows": 2}),
            "exit_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closure"].required = True


class SessionForm(forms.ModelForm):
    minutes = minutes_field(480)

    class Meta:
        model = MentoringSession
        fields = [
            "held_on",
            "minutes",
            "mode",
            "topic",
            "notes",
            "follow_up",
            "follow_up_due",
            "mentor_feedback",
            "mentee_feedback",
        ]
        widgets = {
            "held_on": DateInput(),
            "follow_up_due": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, pairing: Pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        self.fields["held_on"].initial = timezone.localdate()

    def clean_held_on(self) -> datetime.date:
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A session cannot be in the future."))
        if self.pairing.starts_on and day < self.pairing.starts_on:
            raise forms.ValidationError(_("The pairing had not started on that day."))
        return day

    def clean(self):
        return _check_follow_up(self, super().clean())


def _check_follow_up(form: forms.Form, data: dict) -> dict:
    """A follow-up says what is to be done and is not due before the day it was agreed."""
    day, due = data.get("held_on"), data.get("follow_up_due")
    if day and due and due < day:
        form.add_error(
            "follow_up_due", _("The follow-up cannot be due before the day it was agreed.")
        )
    if due and not data.get("follow_up"):
        form.add_error("follow_up", _("Say what is to be followed up."))
    if data.get("follow_up") and not due:
        form.add_error("follow_up_due", _("Give the date the follow-up is due."))
    return data


# What may be attached to an assistance log, recognised by the file's first bytes, never by
# the name or the type the browser claims.
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def checked_upload(upload):
    """The upload with its real content type and a matching extension, or ValidationError.
    Photos are re-encoded without their metadata (a phone's photo carries where it was taken)."""
    limit = settings.VOLUNTEERS_ATTACHMENT_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            _("“%(name)s” is larger than %(limit)d MB.") % {"name": upload.name, "limit": limit}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, (content_type, extension) in SIGNATURES.items():
        if head.startswith(signature):
            stem = upload.name.rsplit(".", 1)[0] or "file"
            name = f"{stem}.{extension}"
            if content_type != "application/pdf":
                return _without_metadata(upload, name, content_type)
            upload.name, upload.content_type = name, content_type
            return upload
    raise forms.ValidationError(
        _("“%(name)s” is not a PDF, JPEG or PNG file.") % {"name": upload.name}
    )


def _without_metadata(upload, name: str, content_type: str) -> SimpleUploadedFile:
    """The picture drawn again, upright, with no EXIF or text chunks kept."""
    try:
        with Image.open(upload) as picture:
            picture = ImageOps.exif_transpose(picture)
            if picture.mode not in ("RGB", "L", "RGBA", "P"):
                picture = picture.convert("RGB")
            if content_type == "image/jpeg" and picture.mode != "L":
                picture = picture.convert("RGB")
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG" if content_type == "image/jpeg" else "PNG")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise forms.ValidationError(
            _("“%(name)s” is not a picture that can be opened.") % {"name": upload.name}
        ) from error
    return SimpleUploadedFile(name, buffer.getvalue(), content_type)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input, each checked by checked_upload."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > 5:
            raise forms.ValidationError(_("Attach at most 5 files."))
        return [checked_upload(super(FilesField, self).clean(item, initial)) for item in files]


class AssistanceForm(forms.ModelForm):
    minutes = minutes_field(720)
    files = FilesField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "PDF, JPEG or PNG, kept private. Choose the files again if the form is shown again."
        ),
    )

    class Meta:
        model = AssistanceLog
        fields = ["kind", "held_on", "minutes", "summary", "outcome", "follow_up", "follow_up_due"]
        widgets = {
            "held_on": DateInput(),
            "follow_up_due": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, supervisee, since: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervisee = supervisee
        self.since = since  # see access.assisting_since
        self.fields["held_on"].initial = timezone.localdate()

    def clean_held_on(self) -> datetime.date:
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Assistance cannot be recorded for a future day."))
        if day < self.supervisee.supervision_start:
            raise forms.ValidationError(_("The person was not yet under supervision on that day."))
        if day < self.since:
            raise forms.ValidationError(
                _("You took this person on on %(day)s; record help from that day on.")
                % {"day": self.since.isoformat()}
            )
        return day

    def clean(self):
        return _check_follow_up(self, super().clean())


class RejectHoursForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
