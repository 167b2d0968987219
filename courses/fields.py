"""A list of choices stored as JSON, edited as checkboxes (audience rules)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst


class ChoiceListField(models.JSONField):
    """A list of values from `options`; empty means "no restriction"."""

    def __init__(self, *args, options=(), **kwargs):
        self.options = [o if isinstance(o, tuple | list) else (o, o) for o in options]
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["options"] = [value for value, _label in self.options]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.options,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {v for v, _label in self.options}
        if any(v not in allowed for v in value or []):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
