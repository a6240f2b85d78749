"""Intake mappers of the points of entry (registered by `poe.setup.ready()`).

| form id       | what                                                         |
|---------------|--------------------------------------------------------------|
| poe_capacity  | the weekly point-of-entry capacity checklist (XLSForm, web)  |
| poe_status    | a point of entry's operational status (XLSForm, web)         |

Column aliases and answer words are data (`health/data/intake_aliases.json`, listed in
docs/imports-health.md).
"""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from hbmm.health.poe.services import (
    CapacityRow,
    PoeRow,
    StatusRow,
    capacity_assessments_save_batch,
    poe_statuses_save_batch,
)
from hbmm.intake.aliases import column_aliases, word_table
from hbmm.intake.cleaning import (
    _raw,
    clean_choice,
    clean_date,
    clean_decimal,
    clean_int,
    clean_multi_choice,
    clean_site,
    clean_text,
)
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError, items_by_context
from hbmm.places.lookups import Lookups
from hbmm.text import normalise_name

ALIASES = Path(__file__).resolve().parents[1] / "data" / "intake_aliases.json"


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


def records_save(save_batch, row: type[PoeRow], items: list[Item]) -> None:
    """Write cleaned items, each as the form's typed `row`, with `save_batch` (one per record
    kind), one batch save per context (intake's contract): attributed to the sender, or the
    reviewer who corrected them."""
    for ctx, group in items_by_context(items).items():
        save_batch(
            [row(submission_id=i.submission_id, existing=i.edited, **i.cleaned) for i in group],
            ctx=ctx,
        )


class CapacityMapper(Mapper):
    form_id = "poe_capacity"
    example = {
        "site": "BCP-GOGUI",
        "assessed_on": "2020-04-28",
        "point_type": "bcp",
        "health_staff_present": "2",
        "screening_hours_per_day": "12",
    }
    title = gettext_lazy("Point-of-entry capacity assessment")
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

    def save(self, items: list[Item]) -> None:
        records_save(capacity_assessments_save_batch, CapacityRow, items)


class StatusMapper(Mapper):
    form_id = "poe_status"
    example = {
        "site": "BCP-GOGUI",
        "effective_from": "2020-04-28",
        "status": "partially_operational",
        "populations_affected": "nationals goods",
        "health_measures": "routine_screening",
        "daily_inflow": "120",
        "daily_outflow": "90",
    }
    title = gettext_lazy("Point-of-entry operational status")
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

    def save(self, items: list[Item]) -> None:
        records_save(poe_statuses_save_batch, StatusRow, items)


def mappers() -> list[Mapper]:
    """The mappers of the point-of-entry forms, to register."""
    return [CapacityMapper(), StatusMapper()]
