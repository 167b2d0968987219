from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from portal.access import memberships_with_role
from portal.forms import PickedRowsField
from portal.models import Region, Role
from portal.models.people import SupervisionLevel

from .models import LiveClass
from .replay import course_fits


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LiveClassForm(forms.ModelForm):
    hls_source_url = forms.URLField(
        label=_("External HLS source"),
        required=False,
        assume_scheme="https",
        help_text=_("For a studio encoder; optional."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Supervision levels"),
        choices=SupervisionLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every level."),
    )

    class Meta:
        model = LiveClass
        fields = [
            "title",
            "course",
            "starts_at",
            "ends_at",
            "audience",
            "regions",
            "levels",
            "presenters",
            "attention_every_minutes",
            "attention_answer_seconds",
            "hls_source_url",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "audience": forms.RadioSelect,
            "regions": forms.CheckboxSelectMultiple,
            "presenters": forms.CheckboxSelectMultiple,
        }
        field_classes = {"regions": PickedRowsField, "presenters": PickedRowsField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.organiser = memberships_with_role(user, Role.OFFICIAL)[0].organisation
        region = self.organiser.region
        self.fields["regions"].queryset = Region.objects.filter(
            parent=region
        ) | Region.objects.filter(pk=region.pk)
        self.fields["presenters"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__organisation__region__path__startswith=region.path,
                memberships__role__in=[Role.OFFICIAL, Role.CASEWORKER],
                is_active=True,
            )
            .distinct()
            .order_by("full_name")
        )
        self.fields["audience"].help_text = _("Minors and adults never share a class.")
        # The recording becomes a lesson of the course: a published course for everywhere, or
        # for a region that includes the organiser's or lies inside it, never another area's.
        codes = region.path.strip("/").split("/")
        above = ["/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes) + 1)]
        self.fields["course"].queryset = (
            CoursePage.objects.live()
            .filter(
                Q(regions__isnull=True)
                | Q(regions__path__in=above)
                | Q(regions__path__startswith=region.path)
            )
            .distinct()
        )

    def clean_hls_source_url(self) -> str:
        """The player fetches the source from the viewer's browser: its origin must be one the
        site's Content-Security-Policy allows (MEDIA_CSP_SOURCES), or every browser refuses."""
        url = self.cleaned_data["hls_source_url"]
        if url:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme != "https" or origin not in settings.MEDIA_CSP_SOURCES:
                raise forms.ValidationError(
                    _(
                        "Browsers may only play HTTPS sources the site allows. Ask the "
                        "administrator to add %(origin)s to MEDIA_CSP_SOURCES."
                    ),
                    params={"origin": origin},
                )
            if not parts.path.endswith(".m3u8"):
                raise forms.ValidationError(_("Give the address of an HLS playlist (.m3u8)."))
        return url

    def clean(self):
        data = super().clean()
        course, audience = data.get("course"), data.get("audience")
        if course and audience:
            probe = LiveClass(course=course, audience=audience)
            if not course_fits(probe):
                self.add_error(
                    "course",
                    _(
                        "The recording becomes a lesson of this course, so the course must "
                        "be for the class's age group (a minors' class: a minors-only course)."
                    ),
                )
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The class must end after it starts."))
        if starts and not self.instance.pk and starts < timezone.now():
            self.add_error("starts_at", _("A new class cannot start in the past."))
        return data
