import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateInput
from portal.models import Membership, Organisation, Region, Role

from .models import MentoringSession, MentorProfile, Pairing


def approved_mentors():
    return (
        get_user_model()
        .objects.filter(
            mentor_profile__isnull=False,
            memberships__role=Role.MENTOR,
            memberships__status=Membership.Status.ACTIVE,
            memberships__organisation__kind=Organisation.Kind.VOLUNTEER_GROUP,
        )
        .distinct()
        .order_by("full_name")
    )


class ProposeForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=approved_mentors())
    goals = forms.CharField(
        label=_("Goals"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = approved_mentors()
        self.fields["mentor"].label_from_instance = lambda user: (
            f"{user.get_full_name()} · {user.mentor_profile.get_elder_kind_display()}"
        )


class ProfileForm(forms.ModelForm):
    """What the volunteer says of themselves."""

    class Meta:
        model = MentorProfile
        fields = ["elder_kind", "skills", "languages", "regions", "capacity", "availability"]
        widgets = {"skills": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.filter(
            level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
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
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=480,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

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
        data = super().clean()
        day, due = data.get("held_on"), data.get("follow_up_due")
        if day and due and due < day:
            self.add_error("follow_up_due", _("The follow-up cannot be due before the session."))
        if due and not data.get("follow_up"):
            self.add_error("follow_up", _("Say what is to be followed up."))
        return data
