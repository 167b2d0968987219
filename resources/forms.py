import datetime

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateInput, PickedRowsField
from portal.models import Region, Skill

from .models import Base, Opening, Provider, Weekday, held_places


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        # The validators see the list; a NUL must be refused while it is still text (PostgreSQL
        # cannot store one in JSON).
        ProhibitNullCharactersValidator()(text)
        return [line.strip() for line in text.splitlines() if line.strip()]


class BaseForm(forms.ModelForm):
    open_days = forms.MultipleChoiceField(
        label=_("Open on"),
        choices=Weekday.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_documents = LinesField(
        label=_("Required documents"), required=False, help_text=_("One per line.")
    )

    class Meta:
        model = Base
        fields = [
            "name",
            "kind",
            "status",
            "description",
            "region",
            "address",
            "postal_code",
            "latitude",
            "longitude",
            "contact_name",
            "phone",
            "email",
            "open_days",
            "opens_at",
            "closes_at",
            "schedule_note",
            "eligibility",
            "minimum_age",
            "maximum_age",
            "required_documents",
            "capacity",
        ]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}),
            "closes_at": forms.TimeInput(attrs={"type": "time"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, operator, **kwargs):
        super().__init__(*args, **kwargs)
        # Within the operator's own region: a base is listed in that area's directory only.
        # A base already elsewhere (imported by an agency) may keep its place.
        area = Q(path__startswith=operator.region.path) | Q(pk=self.instance.region_id)
        self.fields["region"].queryset = Region.objects.filter(
            area, level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and high < low:
            self.add_error("maximum_age", _("The maximum age must not be below the minimum age."))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Closing time must be after opening time."))
        for name, low_limit, high_limit in (("latitude", -90, 90), ("longitude", -180, 180)):
            value = data.get(name)
            if value is not None and not low_limit <= value <= high_limit:
                self.add_error(name, _("Out of range."))
        return data


class OpeningForm(forms.ModelForm):
    skills = PickedRowsField(
        label=_("Skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Opening
        fields = [
            "kind",
            "title",
            "description",
            "skills",
            "slots_total",
            "pay_min",
            "pay_max",
            "starts_on",
            "ends_on",
            "schedule",
            "status",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_slots_total(self):
        total = self.cleaned_data["slots_total"]
        if total < 1:
            raise forms.ValidationError(_("Offer at least one place."))
        held = held_places(self.instance) if self.instance.pk else 0
        if total < held:
            raise forms.ValidationError(
                _("%(n)d places are taken by people already accepted; the total cannot be lower.")
                % {"n": held}
            )
        return total

    def clean(self):
        data = super().clean()
        low, high = data.get("pay_min"), data.get("pay_max")
        if low and high and high < low:
            self.add_error("pay_max", _("The upper pay must not be below the lower pay."))
        if data.get("kind") != Opening.Kind.JOB and (low or high):
            self.add_error("pay_min", _("Pay applies to jobs only."))
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return data


class ProviderForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = ["description", "website", "email", "phone"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class StepForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("Reason or outcome"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestForm(forms.Form):
    note = forms.CharField(
        label=_("Why this opening suits you (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ServiceLogForm(forms.Form):
    day = forms.DateField(label=_("Date worked"), widget=DateInput())
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=720)
    note = forms.CharField(label=_("Work done"), max_length=200)

    def __init__(self, *args, started: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = started

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if self.started and day < self.started:
            raise forms.ValidationError(_("The date is before the person started."))
        return day


RADIUS_CHOICES = [(10, "10 km"), (30, "30 km"), (50, "50 km"), (100, "100 km")]
DEFAULT_RADIUS = 30


class DirectoryForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    radius = forms.TypedChoiceField(
        label=_("Within"),
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS,
        initial=DEFAULT_RADIUS,
    )
    open_only = forms.BooleanField(label=_("Places left only"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[("relevance", _("Best match")), ("distance", _("Nearest first"))],
        required=False,
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("HSDS 3 JSON file"))
