"""Writes of the mobility app. The intake mappers call the `*_save_batch` functions (intake's
contract: `rows` of the form's typed row, `FlowCountRow`..., `ctx` a `BatchContext`), which
write through the `*_save` functions (dicts of model fields, `row.fields()`;
`benchmarks/mobility_figures.py` loads through them too).

Each `*_save` function validates every row (the model's invariants plus the checks that need
the database: site kinds and activity, one report per centre and day...), then replaces the
records given in `replace` (those made from a previous version of the same submission) and
creates the new ones in bulk, in one transaction. Any invalid row raises ValidationError naming
the field; nothing is written then.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.db import concrete_columns, dict_rows, insert_rows
from hbmm.intake.mappers import BatchContext, BatchResult, Row
from hbmm.mobility.models import (
    DisplacementFigure,
    DisplacementRound,
    FlowCount,
    MobilityEvent,
    MobilitySettings,
    MrrcOccupancy,
    StrandedMigrants,
    flow_count_errors,
)
from hbmm.mobility.summaries import flow_summaries_add, flow_summaries_refresh
from hbmm.places.lookups import is_active_on, kinds_of
from hbmm.places.models import AdminArea, Site, SiteKind


def _check_site(site, errors: dict, *, field: str, kinds: dict, kind: str, on) -> None:
    if site is None:
        return
    if kind not in kinds.get(site.pk, set()):
        label = SiteKind.objects.filter(code=kind).values_list("name_en", flat=True).first()
        errors[field] = _("%(site)s is not a %(kind)s.") % {
            "site": site.code,
            "kind": label or kind,
        }
    elif not is_active_on(site, on):
        errors[field] = _("%(site)s was not active on %(day)s.") % {"site": site.code, "day": on}


def _validated(model, rows: Sequence[dict], extra_check=None) -> list:
    records = []
    for row in rows:
        record = model(**row)
        try:
            record.clean()
            errors = {}
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        if extra_check is not None:
            extra_check(record, errors)
        if errors:
            raise ValidationError(errors)
        records.append(record)
    return records


def _replace(model, replace: Iterable) -> set[int]:
    pks = {r.pk for r in replace if r.pk is not None and isinstance(r, model)}
    if pks:
        model.objects.filter(pk__in=pks).delete()
    return pks


def flow_counts_save(*, rows: Sequence[dict], replace: Iterable[FlowCount] = ()) -> int:
    """Record flow counts (dicts of FlowCount fields, with `site` and `submission` or
    `submission_id`); returns how many.

    Checks each: counts non-negative, sex/age parts add up to the total, the date is not in the
    future, the site is a flow monitoring point active on that date. Flow counts arrive by the
    million (registry histories), so they are checked as values and written with `insert_rows`
    rather than as model instances through `bulk_create`.
    """
    kinds = kinds_of(row["site"].pk for row in rows)
    today = timezone.now().date()
    for row in rows:
        errors = flow_count_errors(row, today=today)
        _check_site(
            row["site"],
            errors,
            field="site",
            kinds=kinds,
            kind=SiteKind.FLOW_MONITORING_POINT,
            on=row["observation_date"],
        )
        if errors:
            raise ValidationError(errors)
    return _flow_counts_write(rows=rows, replace=replace)  # in one transaction


def _flow_counts_save_cleaned(*, rows: Sequence[dict], replace: Iterable[FlowCount] = ()) -> int:
    """Flow counts the form's mapper cleaned (`FlowCountMapper.clean`), which made each check
    of `flow_counts_save` on these very values (counts, parts and total, date, unaccompanied
    children, counts per reason and nationality, hours, the site's kind and activity on the
    day), its messages naming the field and the row: a million-row import made them twice.
    Only the sites' kinds are read again, a query per batch: the registry may have changed
    since the batch's lookups were read (tests/mobility/test_mappers.py keeps the mapper's
    checks covering the service's)."""
    sites = {row["site"].pk: row["site"] for row in rows}
    kinds = kinds_of(sites)
    for site in sites.values():
        errors: dict = {}
        _check_site(
            site, errors, field="site", kinds=kinds, kind=SiteKind.FLOW_MONITORING_POINT, on=None
        )
        if errors:
            raise ValidationError(errors)
    return _flow_counts_write(rows=rows, replace=replace)


@transaction.atomic
def _flow_counts_write(*, rows: Sequence[dict], replace: Iterable[FlowCount] = ()) -> int:
    """Write flow counts already checked (`flow_counts_save`'s checks, or the mapper's), their
    month summary with them."""
    replace = list(replace)
    touched = {(r.site_id, r.observation_date) for r in replace if isinstance(r, FlowCount)}
    touched |= {(row["site"].pk, row["observation_date"]) for row in rows}
    _replace(FlowCount, replace)
    columns = concrete_columns(FlowCount)
    insert_rows(FlowCount, columns, dict_rows(FlowCount, columns, rows))
    # Same transaction: the summary follows the records.
    if replace:
        flow_summaries_refresh(keys=touched)
    else:
        flow_summaries_add(rows=rows)
    return len(rows)


def _round_for(number: int, reporting_date: dt.date, title: str, source: str, cache: dict):
    if number in cache:
        found = cache[number]
    else:
        found = DisplacementRound.objects.filter(number=number).first()
        if found is None:
            found = DisplacementRound.objects.create(
                number=number, reporting_date=reporting_date, title=title, source=source
            )
        cache[number] = found
    if found.reporting_date != reporting_date:
        raise ValidationError(
            {
                "reporting_date": _("Round %(n)s was reported on %(day)s, not on %(other)s.")
                % {"n": number, "day": found.reporting_date, "other": reporting_date}
            }
        )
    return found


@transaction.atomic
def displacement_figures_save(
    *, rows: Sequence[dict], replace: Iterable[DisplacementFigure] = ()
) -> list[DisplacementFigure]:
    """Record IDP figures per area (and IDP site) of a round; the round is created when new.

    Each row: `round_number`, `reporting_date` (and optional `round_title`, `round_source`),
    then DisplacementFigure fields (`submission`, `area`, `site`, `total`, `households`...).
    """
    cache: dict[int, DisplacementRound] = {}
    prepared = []
    for row in rows:
        values = dict(row)
        values["round"] = _round_for(
            values.pop("round_number"),
            values.pop("reporting_date"),
            values.pop("round_title", ""),
            values.pop("round_source", ""),
            cache,
        )
        prepared.append(values)
    site_ids = [r["site"].pk for r in prepared if r.get("site")]
    kinds = kinds_of(site_ids)
    replaced = {r.pk for r in replace}
    taken = set(
        DisplacementFigure.objects.filter(round__in=cache.values())
        .exclude(pk__in=replaced)
        .values_list("round_id", "area_id", "site_id")
    )

    def check(record, errors):
        if record.site is not None:
            _check_site(
                record.site, errors, field="site", kinds=kinds, kind=SiteKind.IDP_SITE, on=None
            )
            if not record.site.area.path.startswith(record.area.path):
                errors["site"] = _("%(site)s is not in %(area)s.") % {
                    "site": record.site.code,
                    "area": record.area.pcode,
                }
        key = (record.round.pk, record.area.pk, record.site.pk if record.site else None)
        if key in taken:
            errors["area" if record.site is None else "site"] = _(
                "Round %(n)s already has a figure for %(place)s."
            ) % {
                "n": record.round.number,
                "place": record.site.code if record.site else record.area.pcode,
            }
        taken.add(key)

    records = _validated(DisplacementFigure, prepared, check)
    _replace(DisplacementFigure, replace)
    return DisplacementFigure.objects.bulk_create(records, batch_size=500)


@transaction.atomic
def mrrc_occupancy_save(
    *, rows: Sequence[dict], replace: Iterable[MrrcOccupancy] = ()
) -> list[MrrcOccupancy]:
    """Record MRRC occupancy reports (one per centre and day)."""
    kinds = kinds_of(row["site"].pk for row in rows)
    replaced = {r.pk for r in replace}
    taken = set(
        MrrcOccupancy.objects.filter(
            site__in={r["site"].pk for r in rows}, date__in={r["date"] for r in rows}
        )
        .exclude(pk__in=replaced)
        .values_list("site_id", "date")
    )

    def check(record, errors):
        _check_site(
            record.site, errors, field="site", kinds=kinds, kind=SiteKind.MRRC, on=record.date
        )
        key = (record.site.pk, record.date)
        if key in taken:
            errors["date"] = _("%(site)s already has a report for %(day)s.") % {
                "site": record.site.code,
                "day": record.date,
            }
        taken.add(key)

    records = _validated(MrrcOccupancy, rows, check)
    _replace(MrrcOccupancy, replace)
    return MrrcOccupancy.objects.bulk_create(records, batch_size=500)


@transaction.atomic
def stranded_migrants_save(
    *, rows: Sequence[dict], replace: Iterable[StrandedMigrants] = ()
) -> list[StrandedMigrants]:
    """Record groups of stranded migrants."""
    records = _validated(StrandedMigrants, rows)
    _replace(StrandedMigrants, replace)
    return StrandedMigrants.objects.bulk_create(records, batch_size=500)


@transaction.atomic
def mobility_events_save(
    *, rows: Sequence[dict], replace: Iterable[MobilityEvent] = ()
) -> list[MobilityEvent]:
    """Record emergency events."""

    def check(record, errors):
        if record.site is not None and not record.site.area.path.startswith(record.area.path):
            errors["site"] = _("%(site)s is not in %(area)s.") % {
                "site": record.site.code,
                "area": record.area.pcode,
            }

    records = _validated(MobilityEvent, rows, check)
    _replace(MobilityEvent, replace)
    return MobilityEvent.objects.bulk_create(records, batch_size=500)


# --- The intake contract ---------------------------------------------------------------------
#
# One row type per form (`intake.mappers.Row`): the values its mapper cleaned
# (`<Form>Mapper.clean`), the submission it comes from and `existing`, the record the
# submission's previous version made (an edit replaces it). `fields()` gives the record's field
# values for the `*_save` bulk writers above.


@dataclass(frozen=True, slots=True)
class FlowCountRow(Row):
    """One `flow_count` form, cleaned: a row of `flow_counts_save_batch`."""

    submission_id: int
    site: Site
    observation_date: dt.date
    direction: str
    total: int
    men: int | None = None
    women: int | None = None
    boys: int | None = None
    girls: int | None = None
    unaccompanied_children: int | None = None
    nationality: str = ""
    transport: str = ""
    reason: str = ""
    reason_counts: dict[str, int] = field(default_factory=dict)
    nationality_counts: dict[str, int] = field(default_factory=dict)
    previous_country: str = ""
    previous_area: AdminArea | None = None
    next_country: str = ""
    next_area: AdminArea | None = None
    final_destination: str = ""
    stranded: int | None = None
    observation_hours: Decimal | None = None
    existing: FlowCount | None = None


@dataclass(frozen=True, slots=True)
class DisplacementRow(Row):
    """One `displacement` form, cleaned: a row of `displacement_figures_save_batch` (the
    round is found, or created, by its number)."""

    submission_id: int
    round_number: int
    reporting_date: dt.date
    area: AdminArea
    total: int
    round_title: str = ""
    site: Site | None = None
    men: int | None = None
    women: int | None = None
    boys: int | None = None
    girls: int | None = None
    households: int | None = None
    returnees: int | None = None
    idp_returnees: int | None = None
    returnees_abroad: int | None = None
    idp_returnee_origins: dict = field(default_factory=dict)
    abroad_returnee_origins: dict = field(default_factory=dict)
    reason: str = ""
    period: str = ""
    existing: DisplacementFigure | None = None


@dataclass(frozen=True, slots=True)
class MrrcOccupancyRow(Row):
    """One `mrrc_occupancy` form, cleaned: a row of `mrrc_occupancy_save_batch`."""

    submission_id: int
    site: Site
    date: dt.date
    total: int
    men: int | None = None
    women: int | None = None
    boys: int | None = None
    girls: int | None = None
    existing: MrrcOccupancy | None = None


@dataclass(frozen=True, slots=True)
class StrandedRow(Row):
    """One `stranded` form, cleaned: a row of `stranded_migrants_save_batch`."""

    submission_id: int
    site: Site
    date: dt.date
    count: int
    nationalities: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    note: str = ""
    existing: StrandedMigrants | None = None


@dataclass(frozen=True, slots=True)
class MobilityEventRow(Row):
    """One `event` form, cleaned: a row of `mobility_events_save_batch`."""

    submission_id: int
    event_date: dt.date
    event_type: str
    area: AdminArea
    site: Site | None = None
    households: int | None = None
    individuals: int | None = None
    from_location: str = ""
    to_location: str = ""
    shelter: str = ""
    needs: list[str] = field(default_factory=list)
    description: str = ""
    source: str = ""
    existing: MobilityEvent | None = None


MobilityRow = FlowCountRow | DisplacementRow | MrrcOccupancyRow | StrandedRow | MobilityEventRow


def _save_batch(save: Callable, rows: Sequence[MobilityRow]) -> BatchResult:
    save(
        rows=[row.fields() for row in rows],
        replace=[row.existing for row in rows if row.existing is not None],
    )
    edits = sum(1 for row in rows if row.existing is not None)
    return BatchResult(created=len(rows) - edits, updated=edits)


def flow_counts_save_batch(rows: Sequence[FlowCountRow], *, ctx: BatchContext) -> BatchResult:
    """Flow counts from the intake pipeline (`_flow_counts_save_cleaned`)."""
    return _save_batch(_flow_counts_save_cleaned, rows)


def displacement_figures_save_batch(
    rows: Sequence[DisplacementRow], *, ctx: BatchContext
) -> BatchResult:
    """IDP figures from the intake pipeline (`displacement_figures_save`)."""
    return _save_batch(displacement_figures_save, rows)


def mrrc_occupancy_save_batch(
    rows: Sequence[MrrcOccupancyRow], *, ctx: BatchContext
) -> BatchResult:
    """MRRC occupancy from the intake pipeline (`mrrc_occupancy_save`)."""
    return _save_batch(mrrc_occupancy_save, rows)


def stranded_migrants_save_batch(rows: Sequence[StrandedRow], *, ctx: BatchContext) -> BatchResult:
    """Stranded migrants from the intake pipeline (`stranded_migrants_save`)."""
    return _save_batch(stranded_migrants_save, rows)


def mobility_events_save_batch(
    rows: Sequence[MobilityEventRow], *, ctx: BatchContext
) -> BatchResult:
    """Mobility events from the intake pipeline (`mobility_events_save`)."""
    return _save_batch(mobility_events_save, rows)


@transaction.atomic
def border_closure_date_set(*, day: dt.date | None, by=None) -> MobilitySettings:
    """Set the land border closure date used by the mobility figures (audited)."""
    current = MobilitySettings.objects.filter(pk=1).first() or MobilitySettings()
    before = current.border_closure_date
    current.border_closure_date = day
    current.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target="mobility.settings:border_closure_date",
        details={
            "before": before.isoformat() if before else None,
            "after": day.isoformat() if day else None,
        },
    )
    return current
