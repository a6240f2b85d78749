"""Intake mappers of the epidemiological series (registered by `epi.setup.ready()`).

| form id / import kind        | what                                                         |
|------------------------------|--------------------------------------------------------------|
| epi_countries_aggregated     | long file Date,Country,Confirmed,Recovered,Deaths[,Tests]    |
| epi_jhu_confirmed / _recovered / _deaths | CSSE wide time series, one file per metric       |
| epi_bulletin                 | the ministry's daily bulletin (XLSForm, web form)            |

The series files take import options (EpiSeriesMapper.import_options: the upload page, `hbmm
import --option`): {"countries": [ISO3...], "neighbours": bool}: the configured country
(settings.HBMM_COUNTRY_ISO3) by default, the neighbouring countries the file has if asked.
Column aliases are data (`health/data/intake_aliases.json`, listed in docs/imports-health.md).
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.epi.files import long_rows, wide_rows
from hbmm.health.epi.models import EpiMetric, EpiSource, EpiValue
from hbmm.health.epi.services import EpiEntry, epi_values_save_batch
from hbmm.intake.aliases import column_aliases
from hbmm.intake.cleaning import (
    _raw,
    check_area_scope,
    clean_date,
    clean_int,
    clean_text,
)
from hbmm.intake.mappers import FieldError, ImportOption, Mapper, MappingError, items_by_context
from hbmm.places.lookups import Lookups

ALIASES = Path(__file__).resolve().parents[1] / "data" / "intake_aliases.json"


def _area_for_country(value, errors: list, field: str, lookups: Lookups):
    area = lookups.country_area(value or "")
    if area is None:
        errors.append(FieldError(field, value, _("Unknown country.")))
    return area


def epi_items_save(items, *, source: str) -> None:
    """Write the values of cleaned items (area, day, values) as reported by `source`: one
    batch save per context (intake's contract)."""
    for ctx, group in items_by_context(items).items():
        epi_values_save_batch(
            [
                EpiEntry(
                    area=i.cleaned["area"],
                    day=i.cleaned["day"],
                    source=source,
                    values=i.cleaned["values"],
                    submission=i.submission,
                    replaces=i.existing,
                )
                for i in group
            ],
            ctx=ctx,
        )


class EpiSeriesMapper(Mapper):
    """Rows of a published series file: one country, one date, some cumulative metrics."""

    model = EpiValue
    permission = "health.add_epivalue"
    source: str
    metrics: tuple[str, ...]
    aliases = column_aliases(ALIASES, "epi_series")
    # Read by epi_files.requested_countries.
    import_options = (
        ImportOption(
            "countries",
            gettext_lazy("countries to import (ISO3 codes)"),
            kind="codes",
            pattern="[A-Z]{3}",
            help_text=gettext_lazy(
                "e.g. MLI, SEN; empty: the country of this deployment. Each must be in the file."
            ),
        ),
        ImportOption(
            "neighbours",
            gettext_lazy("also import the neighbouring countries present in the file"),
        ),
    )

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "date", errors, required=True, not_future=True)
        if _raw(data, "province") is not None:
            errors.append(
                FieldError(
                    "province",
                    data.get("province"),
                    _("Sub-national rows of a published series are not imported."),
                )
            )
        area = None
        if _raw(data, "country") is None:
            errors.append(FieldError("country", None, _("This field is required.")))
        else:
            area = _area_for_country(_raw(data, "country"), errors, "country", lookups)
        check_area_scope(errors, "country", area, submitter)
        values = {}
        for metric in self.metrics:
            value = clean_int(data, metric, errors, minimum=0)
            if value is not None:
                values[metric] = value
        if not values and not errors:
            errors.append(FieldError(self.metrics[0], None, _("No value reported for this date.")))
        if errors:
            raise MappingError(errors)
        return {"area": area, "day": day, "values": values}

    def save(self, items) -> None:
        epi_items_save(items, source=self.source)


class CountriesAggregatedMapper(EpiSeriesMapper):
    form_id = "epi_countries_aggregated"
    example = {
        "date": "2020-04-28",
        "country": "MLI",
        "province": "",
        "confirmed": "389",
        "recovered": "",
        "deaths": "23",
        "tests": "",
    }
    title = "COVID-19 countries-aggregated (Date,Country,Confirmed,Recovered,Deaths)"
    source = EpiSource.COUNTRIES_AGGREGATED
    metrics = ("confirmed", "recovered", "deaths", "tests")

    def transform_rows(self, rows, *, options):
        return long_rows(rows, options=options)


class JhuTimeSeriesMapper(EpiSeriesMapper):
    source = EpiSource.JHU_CSSE

    def __init__(self, metric: str):
        self.metric = metric
        self.metrics = (metric,)
        self.form_id = f"epi_jhu_{metric}"
        self.title = f"Johns Hopkins CSSE time_series_covid19_{metric}_global.csv"

    def transform_rows(self, rows, *, options):
        return wide_rows(rows, options=options, metric=self.metric)


class EpiBulletinMapper(Mapper):
    """The ministry's daily bulletin, entered by hand (XLSForm or web form)."""

    form_id = "epi_bulletin"
    example = {
        "bulletin_date": "2020-04-28",
        "area": "MLI",
        "confirmed": "389",
        "recovered": "111",
        "deaths": "23",
        "tests": "",
    }
    title = gettext_lazy("Daily epidemiological bulletin")
    model = EpiValue
    permission = "health.add_epivalue"
    aliases = column_aliases(ALIASES, "epi_bulletin")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "bulletin_date", errors, required=True, not_future=True)
        code = clean_text(data, "area", errors) or settings.HBMM_COUNTRY_ISO3
        area = lookups.area(code)
        if area is None or area.country_iso3 != settings.HBMM_COUNTRY_ISO3 or area.level > 1:
            errors.append(
                FieldError("area", code, _("Not the country nor one of its regions (P-code)."))
            )
            area = None
        check_area_scope(errors, "area", area, submitter)
        values = {}
        for metric in EpiMetric.values:
            value = clean_int(data, metric, errors, minimum=0)
            if value is not None:
                values[metric] = value
        if not values and not errors:
            errors.append(FieldError("confirmed", None, _("Give at least one figure.")))
        if {"confirmed", "recovered", "deaths"} <= set(values) and (
            values["recovered"] + values["deaths"] > values["confirmed"]
        ):
            errors.append(
                FieldError(
                    "recovered",
                    values["recovered"],
                    _("Recovered plus deaths exceed the confirmed cases."),
                )
            )
        if errors:
            raise MappingError(errors)
        return {"area": area, "day": day, "values": values}

    def save(self, items) -> None:
        epi_items_save(items, source=EpiSource.MINISTRY)


EPI_FILE_KINDS = (
    "epi_countries_aggregated",
    "epi_jhu_confirmed",
    "epi_jhu_recovered",
    "epi_jhu_deaths",
)


def mappers() -> list[Mapper]:
    """The mappers of the epidemiological forms and files, to register."""
    return [
        CountriesAggregatedMapper(),
        *(JhuTimeSeriesMapper(metric) for metric in ("confirmed", "recovered", "deaths")),
        EpiBulletinMapper(),
    ]
