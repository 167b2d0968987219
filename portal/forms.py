from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import offices_managed_by
from .models import Membership, Organisation, Region, Role, Skill, Supervisee, Violation
from .models.audit import AuditEntry
from .models.people import Need, SupervisionLevel
from .phones import normalise_phone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VolunteerSignupForm(forms.Form):
    """Extra fields of the public sign-up form, which is the volunteer application."""

    full_name = forms.CharField(label=_("Full name"), max_length=100)
    volunteer_group = forms.ModelChoiceField(
        label=_("Volunteer group"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.VOLUNTEER_GROUP),
        empty_label=_("Choose the group you will serve with"),
    )
    motivation = forms.CharField(
        label=_("Why you would like to volunteer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def clean(self):
        cleaned_data = super().clean()
        if "phone" in self.fields and not cleaned_data.get("phone") and not self.has_error("phone"):
            self.add_error("phone", _("Volunteers must give a mobile number."))
        return cleaned_data

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
        Membership.objects.create(
            user=user,
            organisation=self.cleaned_data["volunteer_group"],
            role=Role.MENTOR,
            status=Membership.Status.PENDING,
            note=self.cleaned_data.get("motivation", ""),
        )


class PickedRowsField(forms.ModelMultipleChoiceField):
    """Rows picked by id. An id past the database's integers is not a choice: refused as such,
    rather than sent to a lookup that SQLite cannot bind."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # left to the usual "not a valid value" message
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class SkillsField(forms.CharField):
    """Skills typed as a list separated by commas (either width) or spaces."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "，".join(str(s) for s in value)
        return value

    def clean(self, value):
        value = super().clean(value) or ""
        for sep in "，、,;；":
            value = value.replace(sep, " ")
        return [name[:40] for name in dict.fromkeys(value.split())]


class SuperviseeForm(forms.ModelForm):
    skills = SkillsField(
        label=_("Skills"),
        required=False,
        help_text=_("Separate skills with commas, e.g. 电工，驾驶，烹饪."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Supervisee
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "judicial_office",
            "home_township",
            "school",
            "photo",
            "sentence_type",
            "supervision_level",
            "offence_category",
            "supervision_start",
            "planned_end",
            "status",
            "ended_on",
            "needs",
        ]
        widgets = {
            "birth_date": DateInput(),
            "supervision_start": DateInput(),
            "planned_end": DateInput(),
            "ended_on": DateInput(),
        }
        error_messages = {
            "id_number": {
                "unique": _(
                    "A supervisee with this ID number is already registered; "
                    "search for the existing record instead."
                )
            }
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = offices_managed_by(user)
        self.fields["judicial_office"].queryset = offices
        counties = Region.objects.filter(pk__in=offices.values("region__parent"))
        townships = Region.objects.townships().filter(
            parent__in=counties
        ) | Region.objects.townships().filter(pk__in=offices.values("region"))
        self.fields["home_township"].queryset = townships.order_by("path")
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "maxlength": 18})
        self.fields["phone"].widget.attrs.update({"type": "tel", "inputmode": "tel"})
        if self.instance.pk:
            self.initial["skills"] = list(self.instance.skills.all())
            # Level changes go through their own form, with a reason.
            del self.fields["supervision_level"]
        else:
            del self.fields["status"]
            del self.fields["ended_on"]

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return normalise_phone(phone) if phone else ""

    def save(self, commit: bool = True) -> Supervisee:
        supervisee = super().save(commit=False)
        if commit:
            supervisee.save()
            self.save_skills(supervisee)
        return supervisee

    def save_skills(self, supervisee: Supervisee) -> None:
        skills = [Skill.objects.get_or_create(name=n)[0] for n in self.cleaned_data["skills"]]
        supervisee.skills.set(skills)


class LevelChangeForm(forms.Form):
    level = forms.ChoiceField(label=_("New supervision level"), choices=SupervisionLevel.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.initial.setdefault("level", current)

    def clean_level(self) -> str:
        level = self.cleaned_data["level"]
        if level == self.current:
            raise forms.ValidationError(_("The person is already at this level."))
        return level


class ViolationForm(forms.ModelForm):
    class Meta:
        model = Violation
        fields = ["occurred_on", "measure", "description"]
        widgets = {
            "occurred_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, supervisee: Supervisee, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervisee = supervisee

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day < self.supervisee.supervision_start:
            raise forms.ValidationError(_("The date is before the start of supervision."))
        return day


class SuperviseeFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    level = forms.ChoiceField(
        label=_("Supervision level"),
        choices=[("", _("All levels")), *SupervisionLevel.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Supervisee.Status.choices],
        required=False,
    )

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(name__contains=data["q"])
        if data["level"]:
            queryset = queryset.filter(supervision_level=data["level"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        return queryset


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditEntry.Action.choices],
        required=False,
    )
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def apply(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["actor"]:
            queryset = queryset.filter(actor_username=data["actor"])
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["object_type"]:
            queryset = queryset.filter(object_type=data["object_type"])
        if data["object_id"]:
            queryset = queryset.filter(object_id=data["object_id"])
        if data["date_from"]:
            queryset = queryset.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(at__date__lte=data["date_to"])
        return queryset


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
