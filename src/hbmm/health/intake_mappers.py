"""Intake mappers of the health app (registered in HealthConfig.ready()).

| form id / import kind        | what                                                         |
|------------------------------|--------------------------------------------------------------|
| epi_countries_aggregated     | long file Date,Country,Confirmed,Recovered,Deaths[,Tests]    |
| epi_jhu_confirmed / _recovered / _deaths | CSSE wide time series, one file per metric       |
| epi_bulletin                 | the ministry's daily bulletin (XLSForm, web form)            |
| poe_capacity                 | the weekly point-of-entry capacity checklist (XLSForm, web)  |
| poe_status                   | a point of entry's operational status (XLSForm, web)         |

The series files take import options (EpiSeriesMapper.import_options: the upload page, `hbmm
import --option`): {"countries": [ISO3...], "neighbours": bool}: the configured country
(settings.HBMM_COUNTRY_ISO3) by default, the neighbouring countries the file has if asked.
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.epi.models import EpiMetric, EpiSource, EpiValue
from hbmm.health.epi_files import long_rows, wide_rows
from hbmm.health.poe.models import (
    CAPACITY_ITEM_FIELDS,
    Answer,
    CapacityAssessment,
    HealthMeasure,
    OperationalStatus,
    PoeStatus,
    PointType,
    Population,
    Restriction,
)
from hbmm.health.services import (
    EpiEntry,
    RecordEntry,
    capacity_assessments_record,
    epi_values_record,
    poe_statuses_record,
)
from hbmm.intake.aliases import column_aliases, word_table
from hbmm.intake.cleaning import (
    _raw,
    check_area_scope,
    clean_choice,
    clean_date,
    clean_decimal,
    clean_int,
    clean_multi_choice,
    clean_site,
    clean_text,
)
from hbmm.intake.mappers import FieldError, ImportOption, Mapper, MappingError, register
from hbmm.places.lookups import Lookups
from hbmm.text import normalise_name

ALIASES = Path(__file__).resolve().parent / "data" / "intake_aliases.json"


def _area_for_country(value, errors: list, field: str, lookups: Lookups):
    area = lookups.country_area(value or "")
    if area is None:
        errors.append(FieldError(field, value, _("Unknown country.")))
    return area


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
        epi_values_record(
            entries=[
                EpiEntry(
                    area=i.cleaned["area"],
                    day=i.cleaned["day"],
                    source=self.source,
                    values=i.cleaned["values"],
                    submission=i.submission,
                    replaces=i.existing,
                )
                for i in items
            ]
        )


class CountriesAggregatedMapper(EpiSeriesMapper):
    form_id = "epi_countries_aggregated"
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
    title = "Daily epidemiological bulletin"
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
        epi_values_record(
            entries=[
                EpiEntry(
                    area=i.cleaned["area"],
                    day=i.cleaned["day"],
                    source=EpiSource.MINISTRY,
                    values=i.cleaned["values"],
                    submission=i.submission,
                    replaces=i.existing,
                )
                for i in items
            ]
        )


ANSWER_WORDS = word_table(ALIASES, "answer")


def clean_answer(data: dict, name: str, errors: list) -> str:
    """yes / no / not assessed; a missing answer is "not assessed", never "no"."""
    value = _raw(data, name)
    if value is None:
        return Answer.NOT_ASSESSED
    answer = ANSWER_WORDS.get(normalise_name(value))
    if answer is not None:
        return answer
    errors.append(
        FieldError(name, value, _("Expected yes, no or not assessed (yes / no / not_assessed)."))
    )
    return Answer.NOT_ASSESSED


POE_KINDS = tuple(PointType.values)


def _clean_point(data, errors, submitter, lookups: Lookups, *, day_field: str):
    """The point of entry of `data["site"]` (of a point-of-entry kind, active on the day, in
    the submitter's scope) and the day."""
    day = clean_date(data, day_field, errors, required=True, not_future=True)
    site = clean_site(data, "site", errors, lookups, submitter=submitter, kinds=POE_KINDS, on=day)
    return site, day


class CapacityMapper(Mapper):
    form_id = "poe_capacity"
    title = "Point-of-entry capacity assessment"
    model = CapacityAssessment
    permission = "health.add_capacityassessment"
    aliases = column_aliases(ALIASES, "poe_capacity")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        site, day = _clean_point(data, errors, submitter, lookups, day_field="assessed_on")
        point_type = clean_choice(data, "point_type", errors, PointType)
        if site is not None:
            kinds = lookups.site_kinds(site)
            if point_type and point_type not in kinds:
                errors.append(
                    FieldError("point_type", point_type, _("The site is not of this type."))
                )
            point_type = point_type or next((t for t in POE_KINDS if t in kinds), "")
        values = {name: clean_answer(data, name, errors) for name in CAPACITY_ITEM_FIELDS}
        staff = clean_int(data, "health_staff_present", errors, minimum=0, maximum=500)
        hours = clean_decimal(data, "screening_hours_per_day", errors, minimum=0, maximum=24)
        note = clean_text(data, "note", errors, max_length=2000)
        if errors:
            raise MappingError(errors)
        return {
            "site": site,
            "point_type": point_type,
            "assessed_on": day,
            "health_staff_present": staff,
            "screening_hours_per_day": hours,
            "note": note,
            **values,
        }

    def save(self, items) -> None:
        capacity_assessments_record(
            entries=[
                RecordEntry(values=i.cleaned, submission=i.submission, replaces=i.existing)
                for i in items
            ],
            by=items[0].actor if items else None,  # the sender, or the correcting reviewer
        )


class StatusMapper(Mapper):
    form_id = "poe_status"
    title = "Point-of-entry operational status"
    model = PoeStatus
    permission = "health.add_poestatus"
    aliases = column_aliases(ALIASES, "poe_status")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        site, day = _clean_point(data, errors, submitter, lookups, day_field="effective_from")
        status = clean_choice(data, "status", errors, OperationalStatus, required=True)
        restriction = clean_choice(data, "restriction", errors, Restriction)
        populations = clean_multi_choice(data, "populations_affected", errors, Population)
        measures = clean_multi_choice(data, "health_measures", errors, HealthMeasure)
        if HealthMeasure.NONE in measures and len(measures) > 1:
            errors.append(
                FieldError(
                    "health_measures",
                    " ".join(measures),
                    _("'none' cannot be combined with other measures."),
                )
            )
        inflow = clean_int(data, "daily_inflow", errors, minimum=0)
        outflow = clean_int(data, "daily_outflow", errors, minimum=0)
        if status == OperationalStatus.FULLY_CLOSED and restriction == "":
            restriction = Restriction.BOTH
        note = clean_text(data, "note", errors, max_length=2000)
        if errors:
            raise MappingError(errors)
        return {
            "site": site,
            "effective_from": day,
            "status": status,
            "restriction": restriction,
            "populations_affected": populations,
            "health_measures": measures,
            "daily_inflow": inflow,
            "daily_outflow": outflow,
            "note": note,
        }

    def save(self, items) -> None:
        poe_statuses_record(
            entries=[
                RecordEntry(values=i.cleaned, submission=i.submission, replaces=i.existing)
                for i in items
            ],
            by=items[0].actor if items else None,  # the sender, or the correcting reviewer
        )


EPI_FILE_KINDS = (
    "epi_countries_aggregated",
    "epi_jhu_confirmed",
    "epi_jhu_recovered",
    "epi_jhu_deaths",
)


def register_all() -> None:
    register(CountriesAggregatedMapper())
    for metric in ("confirmed", "recovered", "deaths"):
        register(JhuTimeSeriesMapper(metric))
    register(EpiBulletinMapper())
    register(CapacityMapper())
    register(StatusMapper())
