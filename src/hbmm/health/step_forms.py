"""The form of a timed workflow step (a screening's, a signal's, a sample's): its time, empty
for now, read as UTC (Mali's time)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _at_field():
    return forms.DateTimeField(
        label=_("Time (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for now."),
    )


class StepForm(forms.Form):
    at = _at_field()

    def clean_at(self):
        value = self.cleaned_data.get("at")
        if value is not None and timezone.is_naive(value):
            value = value.replace(tzinfo=dt.UTC)
        return value
