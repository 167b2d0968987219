from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OpportunityDecision


class DismissForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is this not an opportunity?"),
        choices=OpportunityDecision.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == OpportunityDecision.Reason.OTHER and not data.get("note"):
            self.add_error("note", _("Say why, when the reason is “other”."))
        return data
