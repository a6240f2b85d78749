"""Web forms of the epidemiological series. They only collect values: validation is the
intake mapper's (`epi.intake_mappers`, the same code that checks an ODK submission or a file
row), run by `health.pages.submit_through_pipeline`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.health.epi.models import EpiSource
from hbmm.web.forms import DateInput, TabularFileField


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


SOURCE_CHOICES = EpiSource.choices
