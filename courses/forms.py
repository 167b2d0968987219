from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import DateInput
from portal.models import Organisation, Region
from portal.models.people import SupervisionLevel

from .models import CoursePage, GroupAttendance, GroupSession


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your reflection"),
        min_length=20,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "min_length": _("Please write at least %(limit_value)d characters."),
            "required": _("Please write your reflection."),
        },
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Comment for the supervisee"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def quiz_form(lesson, data=None) -> forms.Form:
    """A form with one radio group per question; answers are 1-based choice numbers."""
    fields = {}
    for index, block in enumerate(lesson.quiz, start=1):
        question = block.value
        fields[f"q{index}"] = forms.TypedChoiceField(
            label=question["question"],
            choices=[(n, text) for n, text in enumerate(question["choices"], start=1)],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": _("Please answer this question.")},
        )
    form_class = type("QuizForm", (forms.Form,), fields)
    return form_class(data)


class ComplianceFilterForm(forms.Form):
    SORTS = [
        ("shortfall", _("projected shortfall")),
        ("study", _("study hours")),
        ("service", _("service hours")),
        ("name", _("name")),
        ("office", _("judicial office")),
    ]
    SHOW = [
        ("all", _("everyone")),
        ("short", _("short of the requirement")),
        ("overdue", _("first lesson overdue")),
        ("reflections", _("reflections to review")),
    ]
    level = forms.ChoiceField(
        label=_("Supervision level"),
        required=False,
        choices=[("", _("all levels")), *SupervisionLevel.choices],
    )
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def apply(self, rows):
        data = self.cleaned_data if self.is_valid() else {}
        level, show, sort = data.get("level"), data.get("show") or "all", data.get("sort")
        if level:
            rows = [r for r in rows if r.supervisee.supervision_level == level]
        if show == "short":
            rows = [r for r in rows if r.is_short]
        elif show == "overdue":
            rows = [r for r in rows if r.orientation_overdue]
        elif show == "reflections":
            rows = [r for r in rows if r.unreviewed_reflections]
        keys = {
            "study": lambda r: (r.study.percent, r.supervisee.pk),
            "service": lambda r: (r.service.percent, r.supervisee.pk),
            "name": lambda r: (r.person.name, r.supervisee.pk),
            "office": lambda r: (r.supervisee.judicial_office.name, r.supervisee.pk),
        }
        key = keys.get(sort) or (lambda r: (-r.projected_shortfall, r.supervisee.pk))
        return sorted(rows, key=key)


class ServiceForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_value=12, decimal_places=1
    )
    activity = forms.CharField(label=_("Activity"), max_length=200)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Service cannot be recorded for a future date."))
        return day


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=255)


class RequirementForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    level = forms.ChoiceField(label=_("Supervision level"), choices=SupervisionLevel.choices)
    study_hours = forms.DecimalField(
        label=_("Study hours per month"), min_value=0, max_value=200, decimal_places=1
    )
    service_hours = forms.DecimalField(
        label=_("Service hours per month"), min_value=0, max_value=200, decimal_places=1
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class GroupSessionForm(forms.ModelForm):
    class Meta:
        model = GroupSession
        fields = [
            "title",
            "course",
            "organiser",
            "venue",
            "starts_at",
            "ends_at",
            "audience",
            "capacity",
            "credited_minutes",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "audience": _("Minors and adults are never taught in the same group class."),
        }

    def __init__(self, *args, organisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers
        self.fields["capacity"].min_value = 1
        self.fields["course"].queryset = CoursePage.objects.live()
        self.fields["course"].required = False

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The class must end after it starts."))
        if ends and ends < timezone.now():
            self.add_error("ends_at", _("The class has already ended."))
        if data.get("capacity") == 0:
            self.add_error("capacity", _("Capacity must be at least 1."))
        return data


class RosterForm(forms.Form):
    status = forms.ChoiceField(label=_("Attendance"), choices=GroupAttendance.Status.choices)
    remark = forms.CharField(label=_("Remark"), required=False, max_length=200)


def organisers_for(user):
    from portal.access import memberships_with_role
    from portal.models import Role

    ids = [
        m.organisation_id
        for m in memberships_with_role(user, Role.CASEWORKER)
        + memberships_with_role(user, Role.OFFICIAL)
    ]
    return Organisation.objects.filter(pk__in=ids)
