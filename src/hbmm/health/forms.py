"""Web forms of the health app. They only collect values: validation is the intake mapper's
(the same code that checks an ODK submission or a file row), run by `submit_through_pipeline`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.health.epi.models import EpiSource
from hbmm.health.poe.models import (
    CAPACITY_ITEMS,
    Answer,
    HealthMeasure,
    OperationalStatus,
    PointType,
    Population,
    Restriction,
)
from hbmm.intake.channels.web import form_errors_add, web_submit
from hbmm.web.forms import TabularFileField


class DateInput(forms.DateInput):
    input_type = "date"


def _as_text(value) -> str:
    """A form value as a submission field: text, as an ODK instance carries it."""
    if value is None:
        return ""
    if hasattr(value, "code"):  # a site
        return value.code
    if isinstance(value, list | tuple):
        return " ".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def submit_through_pipeline(form: forms.Form, *, form_id: str, user):
    """Send the form's values through the pipeline as a web submission of `form_id`
    (`intake.channels.web.web_submit`). Returns the accepted submission, or None with the
    mapper's errors added to the form."""
    sent = web_submit(
        form_id=form_id,
        data={name: _as_text(value) for name, value in form.cleaned_data.items()},
        user=user,
    )
    if not sent.accepted:
        form_errors_add(form, sent.errors)
        return None
    return sent.submission


class EpiImportForm(forms.Form):
    KINDS = [
        ("epi_countries_aggregated", _("countries-aggregated (Date, Country, Confirmed, ...)")),
        ("epi_jhu_confirmed", "time_series_covid19_confirmed_global.csv"),
        ("epi_jhu_recovered", "time_series_covid19_recovered_global.csv"),
        ("epi_jhu_deaths", "time_series_covid19_deaths_global.csv"),
    ]
    kind = forms.ChoiceField(
        label=_("file format"),
        choices=[("", _("guess from the file name"))] + KINDS,
        required=False,
    )
    file = TabularFileField(label=_("file (CSV or XLSX)"))
    neighbours = forms.BooleanField(
        label=_("also import the neighbouring countries present in the file"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and not cleaned.get("kind"):
            name = upload.name.lower()
            guessed = next(
                (k for k in ("confirmed", "recovered", "deaths") if f"covid19_{k}" in name), None
            )
            if guessed:
                cleaned["kind"] = f"epi_jhu_{guessed}"
            elif "time_series" in name:
                raise forms.ValidationError(_("Choose which time series this file is."))
            else:
                cleaned["kind"] = "epi_countries_aggregated"
        return cleaned


class BulletinForm(forms.Form):
    bulletin_date = forms.DateField(label=_("bulletin date"), widget=DateInput)
    area = forms.ChoiceField(label=_("area"))
    confirmed = forms.IntegerField(label=_("confirmed cases (cumulative)"), required=False)
    recovered = forms.IntegerField(label=_("recovered (cumulative)"), required=False)
    deaths = forms.IntegerField(label=_("deaths (cumulative)"), required=False)
    tests = forms.IntegerField(label=_("tests performed (cumulative)"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.pcode, f"{a.name} ({a.pcode})") for a in areas]


ANSWER_CHOICES = Answer.choices


class CapacityForm(forms.Form):
    site = forms.ModelChoiceField(label=_("point of entry"), queryset=None, to_field_name="code")
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
    site = forms.ModelChoiceField(label=_("point of entry"), queryset=None, to_field_name="code")
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


SOURCE_CHOICES = EpiSource.choices
