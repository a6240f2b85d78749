"""Web forms of the laboratories (parsing only; the checks are the services')."""

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import sites_in_scope
from hbmm.health.labs.models import LabKind, LabStatus, Sample, SampleResult, SampleType
from hbmm.health.labs.selectors import lab_sites
from hbmm.health.labs.services import POINT_KINDS
from hbmm.health.step_forms import StepForm
from hbmm.places.models import Site
from hbmm.places.pickers import site_select


def _points(scope=None):
    sites = Site.objects.filter(kinds__code__in=POINT_KINDS).distinct().order_by("code")
    return sites if scope is None else sites_in_scope(scope).filter(pk__in=sites)


class LaboratoryForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Laboratory (site)"), queryset=Site.objects.none())
    kind = forms.ChoiceField(label=_("Kind of laboratory"), choices=LabKind.choices)
    point = forms.ModelChoiceField(
        label=_("Point of entry (mobile laboratory)"), queryset=Site.objects.none(), required=False
    )
    since = forms.DateField(
        label=_("Operating since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(label=_("Operational status"), choices=LabStatus.choices)
    daily_capacity = forms.IntegerField(
        label=_("Daily capacity (samples a day)"), required=False, min_value=0
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = lab_sites(scope)
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = _points()


class SampleNewForm(forms.Form):
    sample_id = forms.CharField(
        label=_("Sample id (barcode)"),
        max_length=40,
        help_text=_("Scan the barcode or type it."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    sample_type = forms.ChoiceField(label=_("Sample type"), choices=SampleType.choices)
    point = forms.ModelChoiceField(
        label=_("Taken at (point)"), queryset=Site.objects.none(), widget=site_select()
    )
    taken_at = forms.DateTimeField(
        label=_("Taken at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    taken_by_name = forms.CharField(label=_("Taken by (name)"), required=False, max_length=150)
    lab = forms.ModelChoiceField(
        label=_("Laboratory"), queryset=Site.objects.none(), required=False
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = _points(scope)
        cast(forms.ModelChoiceField, self.fields["lab"]).queryset = lab_sites()

    def clean_taken_at(self):
        value = self.cleaned_data["taken_at"]
        return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value


class ShipForm(StepForm):
    lab = forms.ModelChoiceField(label=_("Laboratory"), queryset=lab_sites())
    transport = forms.ChoiceField(label=_("Transport"), choices=Sample.Transport.choices)


class ResultForm(StepForm):
    result = forms.ChoiceField(label=_("Result"), choices=SampleResult.choices)
    rejection_reason = forms.CharField(
        label=_("Reason for rejection"), required=False, max_length=200
    )
