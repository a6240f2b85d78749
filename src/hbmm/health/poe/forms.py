"""Web forms of the points of entry. They only collect values: validation is the intake
mapper's (`poe.intake_mappers`, the same code that checks an ODK submission or a file row),
run by `health.pages.submit_through_pipeline`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.health.poe.models import (
    CAPACITY_ITEMS,
    Answer,
    HealthMeasure,
    OperationalStatus,
    PointType,
    Population,
    Restriction,
)
from hbmm.places.pickers import site_select
from hbmm.web.forms import DateInput

ANSWER_CHOICES = Answer.choices


class CapacityForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("point of entry"), queryset=None, to_field_name="code", widget=site_select()
    )
    point_type = forms.ChoiceField(
        label=_("point type"), choices=[("", "—"), *PointType.choices], required=False
    )
    assessed_on = forms.DateField(label=_("assessed on"), widget=DateInput)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        for name, label in CAPACITY_ITEMS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                initial=Answer.NOT_ASSESSED,
            )
        self.fields["health_staff_present"] = forms.IntegerField(
            label=_("health staff present"), required=False
        )
        self.fields["screening_hours_per_day"] = forms.DecimalField(
            label=_("screening hours per day"), required=False
        )
        self.fields["note"] = forms.CharField(
            label=_("note"), widget=forms.Textarea, required=False
        )


class StatusForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("point of entry"), queryset=None, to_field_name="code", widget=site_select()
    )
    effective_from = forms.DateField(label=_("effective from"), widget=DateInput)
    status = forms.ChoiceField(label=_("status"), choices=OperationalStatus.choices)
    restriction = forms.ChoiceField(
        label=_("restriction"), choices=[("", "—"), *Restriction.choices], required=False
    )
    populations_affected = forms.MultipleChoiceField(
        label=_("populations affected"),
        choices=Population.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    health_measures = forms.MultipleChoiceField(
        label=_("health measures"),
        choices=HealthMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    daily_inflow = forms.IntegerField(label=_("estimated daily inflow"), required=False)
    daily_outflow = forms.IntegerField(label=_("estimated daily outflow"), required=False)
    note = forms.CharField(label=_("note"), widget=forms.Textarea, required=False)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
