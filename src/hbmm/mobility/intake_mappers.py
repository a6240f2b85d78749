"""Intake mappers of the mobility app: one per form (and file-import kind).

    flow_count       -> FlowCount            (flow monitoring registry; DTM flow exports)
    displacement     -> DisplacementFigure   (mobility tracking rounds, per cercle / IDP site)
    mrrc_occupancy   -> MrrcOccupancy
    stranded         -> StrandedMigrants
    event            -> MobilityEvent

Accepted column names (English and French, DTM exports) and the French and English words of
choice values (`entrant`, `sortie`, `économique`, `moto`...) are data: `data/intake_aliases.json`,
listed in docs/imports-mobility.md. Values are matched ignoring case and accents. The generic
cleaners (dates, numbers, words, countries) are intake's (`hbmm.intake.cleaning`); here are the
mobility forms' own rules (sex and age parts, previous/next locations, flow directions).
"""

import functools
import json
from pathlib import Path
from typing import cast

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.intake.aliases import column_aliases, word_table
from hbmm.intake.cleaning import (
    _raw,
    check_area_scope,
    clean_area,
    clean_countries,
    clean_country,
    clean_date,
    clean_decimal,
    clean_int,
    clean_site,
    clean_text,
    clean_word,
    clean_words,
)
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError, items_by_context, register
from hbmm.mobility import services
from hbmm.mobility.models import (
    SEX_AGE_FIELDS,
    Direction,
    DisplacementFigure,
    FlowCount,
    MobilityEvent,
    MrrcOccupancy,
    Need,
    Reason,
    StrandedMigrants,
    Transport,
)
from hbmm.mobility.returnees import clean_returnees
from hbmm.places.countries import country_code
from hbmm.places.lookups import Lookups
from hbmm.places.models import AdminArea, SiteKind
from hbmm.text import normalise_name

ALIASES = Path(__file__).resolve().parent / "data" / "intake_aliases.json"
# Each form's example row (the import page's examples, the example file that imports as is).
EXAMPLES = json.loads((ALIASES.parent / "intake_examples.json").read_text(encoding="utf-8"))
DIRECTION_WORDS = word_table(ALIASES, "direction")
REASON_WORDS = word_table(ALIASES, "reason")
TRANSPORT_WORDS = word_table(ALIASES, "transport")
NEED_WORDS = word_table(ALIASES, "need")
EVENT_WORDS = word_table(ALIASES, "event")

# --- Mobility cleaners ----------------------------------------------------------------------


def clean_location(
    data, country_field, pcode_field, errors, lookups: Lookups
) -> tuple[str, AdminArea | None]:
    """A previous/next location: a country (ISO3 or name) and/or a P-code. A P-code given in the
    country column (DTM exports' `from`/`to`) is accepted and gives the country too."""
    area = None
    country_value = _raw(data, country_field)
    country = "" if country_value is None else (country_code(str(country_value)) or "")
    if country_value is not None and not country:
        maybe = lookups.area(country_value)
        if maybe is not None and maybe.level > 0:
            area, country = maybe, maybe.country_iso3
        if not country:
            country = clean_country(data, country_field, errors)  # unknown: its error
    if _raw(data, pcode_field) is not None:
        area = clean_area(data, pcode_field, errors, lookups, levels=(1, 2, 3))
        if area is not None:
            if country and area.country_iso3 != country:
                errors.append(
                    FieldError(
                        pcode_field,
                        area.pcode,
                        _("This P-code is not in %s.") % country,
                    )
                )
            country = country or area.country_iso3
    return country, area


def clean_sex_age(data, errors, *, total_field="total", required_total=True) -> dict:
    """men, women, boys, girls (all four, or none) and the total; fills the total from the
    parts when it is missing; checks they add up."""
    values = {n: clean_int(data, n, errors, minimum=0) for n in SEX_AGE_FIELDS}
    total = clean_int(data, total_field, errors, minimum=0)
    parts = list(values.values())
    missing = parts.count(None)
    if 0 < missing < len(parts):
        errors.append(
            FieldError(
                SEX_AGE_FIELDS[parts.index(None)],
                None,
                _("Give all four of men, women, boys and girls, or none of them."),
            )
        )
    elif not missing:
        added = sum(cast(list[int], parts))  # none missing
        if total is None:
            total = added
        elif added != total:
            errors.append(
                FieldError(
                    total_field,
                    total,
                    _("Men, women, boys and girls add up to %(parts)s, not to %(total)s.")
                    % {"parts": added, "total": total},
                )
            )
    if total is None and required_total and not any(e.field == total_field for e in errors):
        errors.append(FieldError(total_field, None, _("This field is required.")))
    return {**values, "total": total}


def site_clean(data, errors, lookups: Lookups, submitter, **checks):
    """The `site` of a mobility form: a site code or (DTM exports name the point) the site's
    French or English name; `checks` are `clean_site`'s (kinds, on)."""
    return clean_site(data, "site", errors, lookups, by_name=True, submitter=submitter, **checks)


class MobilityMapper(Mapper):
    site_field = "site"

    def _items_save(self, save_batch, row: type[services.MobilityRow], items: list[Item]) -> None:
        """Each item as the form's typed `row`, one batch save per context (submitter, sender,
        channel, demo flag)."""
        for ctx, group in items_by_context(items).items():
            rows = [
                row(submission_id=item.submission_id, existing=item.edited, **item.cleaned)
                for item in group
            ]
            save_batch(rows, ctx=ctx)


# --- Flow counts -----------------------------------------------------------------------------

# Counts per reason of travel: `reason_<code>` columns (`reason_economic`...).
REASON_COLUMNS = frozenset(
    f for f in column_aliases(ALIASES, "flow_count") if f.startswith("reason_")
)
NATIONALITY_PREFIXES = ("nationality", "nationalite", "nat")


@functools.lru_cache(maxsize=256)
def _count_columns(keys: tuple) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The `reason_<code>` columns and the (column, ISO3) of the `nationality_<ISO3>`
    columns among a row's `keys`, in their order: worked out once for the rows of a file
    (they share keys)."""
    nationalities = tuple((k, code) for k in keys if (code := _nationality_column(k)) is not None)
    return tuple(k for k in keys if k in REASON_COLUMNS), nationalities


@functools.lru_cache(maxsize=1024)
def _nationality_column(key: str) -> str | None:
    """The ISO3 code a `nationality_<ISO3>` column counts, or None for any other column."""
    name = normalise_name(key)
    for prefix in NATIONALITY_PREFIXES:
        rest = name.removeprefix(prefix)
        if rest != name and len(rest) == 3:
            return country_code(rest)
    return None


class FlowCountMapper(MobilityMapper):
    form_id = "flow_count"
    example = EXAMPLES["flow_count"]
    model = FlowCount
    permission = "mobility.add_flowcount"
    title = gettext_lazy("Flow monitoring registry")
    aliases = column_aliases(ALIASES, "flow_count")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(
            data, "observation_date", errors, required=True, not_future=True, today=lookups.today
        )
        site = site_clean(
            data, errors, lookups, submitter, kinds=(SiteKind.FLOW_MONITORING_POINT,), on=day
        )
        reason_columns, nationality_columns = _count_columns(tuple(data))
        counts = clean_sex_age(data, errors)
        total = counts["total"]
        unaccompanied = clean_int(data, "unaccompanied_children", errors, minimum=0)
        children = (
            counts["total"]
            if counts["boys"] is None or counts["girls"] is None
            else counts["boys"] + counts["girls"]
        )
        if unaccompanied is not None and children is not None and unaccompanied > children:
            errors.append(
                FieldError(
                    "unaccompanied_children", unaccompanied, _("More than the children counted.")
                )
            )
        reason = clean_word(data, "reason", errors, Reason, REASON_WORDS)
        reason_counts = {}
        for column in reason_columns:
            n = clean_int(data, column, errors, minimum=0)
            if n:
                reason_counts[column.removeprefix("reason_")] = n
        if reason_counts and total is not None and sum(reason_counts.values()) != total:
            errors.append(
                FieldError(
                    "reason_*",
                    sum(reason_counts.values()),
                    _("Individuals per reason add up to %(n)s, not to the total %(total)s.")
                    % {"n": sum(reason_counts.values()), "total": total},
                )
            )
        nationality_counts = self._nationality_counts(data, errors, nationality_columns)
        if nationality_counts and total is not None and sum(nationality_counts.values()) != total:
            errors.append(
                FieldError(
                    "nationality_*",
                    sum(nationality_counts.values()),
                    _("Individuals per nationality add up to %(n)s, not to the total %(total)s.")
                    % {"n": sum(nationality_counts.values()), "total": total},
                )
            )
        if reason_counts and not reason:
            reason = max(reason_counts.items(), key=lambda kv: (kv[1], kv[0] == "other"))[0]
        previous_country, previous_area = clean_location(
            data, "previous_country", "previous_pcode", errors, lookups
        )
        next_country, next_area = clean_location(
            data, "next_country", "next_pcode", errors, lookups
        )
        direction = self._direction(data, errors, previous_country, next_country)
        stranded = clean_int(data, "stranded", errors, minimum=0)
        if stranded is not None and total is not None and stranded > total:
            errors.append(FieldError("stranded", stranded, _("More than the total.")))
        hours = clean_decimal(data, "observation_hours", errors, maximum=24)
        if hours is not None and hours <= 0:  # one message for 0 and below, as the form says
            errors.append(FieldError("observation_hours", hours, _("Must be more than 0.")))
        final = clean_text(data, "final_destination", errors, max_length=200)
        nationality = clean_country(data, "nationality", errors)
        if nationality_counts and not nationality:
            nationality = max(nationality_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        transport = clean_word(data, "transport", errors, Transport, TRANSPORT_WORDS)
        if errors:
            raise MappingError(errors)
        return {
            "site": site,
            "observation_date": day,
            "direction": direction,
            **counts,
            "unaccompanied_children": unaccompanied,
            "nationality": nationality,
            "transport": transport,
            "reason": reason,
            "reason_counts": reason_counts,
            "nationality_counts": nationality_counts,
            "previous_country": previous_country,
            "previous_area": previous_area,
            "next_country": next_country,
            "next_area": next_area,
            "final_destination": (country_code(final) or final) if final else "",
            "stranded": stranded,
            "observation_hours": hours,
        }

    @staticmethod
    def _nationality_counts(data: dict, errors: list, columns) -> dict[str, int]:
        """Counts per nationality from `nationality_<ISO3>` columns (also `nationalite_`,
        `nat_`: `columns`, from `_count_columns`), e.g. `nationality_MLI` = 12; empty columns
        and zeros are left out."""
        counts: dict[str, int] = {}
        for key, code in columns:
            n = clean_int(data, key, errors, minimum=0)
            if n:
                counts[code] = counts.get(code, 0) + n
        return counts

    @staticmethod
    def _direction(data, errors, previous_country: str, next_country: str) -> str:
        """The direction given, or (DTM exports without it) the one implied by `from`/`to`:
        from abroad to this country = incoming, from here abroad = outgoing, here to here =
        internal."""
        if _raw(data, "direction") is not None or not (previous_country and next_country):
            return clean_word(data, "direction", errors, Direction, DIRECTION_WORDS, required=True)
        home = settings.HBMM_COUNTRY_ISO3
        if previous_country != home and next_country == home:
            return Direction.INCOMING
        if previous_country == home and next_country != home:
            return Direction.OUTGOING
        if previous_country == home and next_country == home:
            return Direction.INTERNAL
        errors.append(
            FieldError(
                "direction",
                None,
                _("This field is required (from %(a)s to %(b)s does not tell the direction).")
                % {"a": previous_country, "b": next_country},
            )
        )
        return ""

    def save(self, items: list[Item]) -> None:
        self._items_save(services.flow_counts_save_batch, services.FlowCountRow, items)


# --- Displacement ----------------------------------------------------------------------------


class DisplacementMapper(MobilityMapper):
    form_id = "displacement"
    example = EXAMPLES["displacement"]
    model = DisplacementFigure
    permission = "mobility.add_displacementfigure"
    title = gettext_lazy("Displacement tracking round")
    aliases = column_aliases(ALIASES, "displacement")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        number = clean_int(data, "round_number", errors, required=True, minimum=1)
        day = clean_date(data, "reporting_date", errors, required=True, not_future=True)
        area = clean_area(
            data, "area", errors, lookups, levels=(AdminArea.Level.ADM2,), required=True
        )
        if area is not None and area.country_iso3 != "MLI":
            errors.append(FieldError("area", area.pcode, _("Not an area of Mali.")))
        site = None
        if _raw(data, "site") is not None:
            site = site_clean(data, errors, lookups, submitter, kinds=(SiteKind.IDP_SITE,))
        else:
            check_area_scope(errors, "area", area, submitter)
        counts = clean_sex_age(data, errors)
        households = clean_int(data, "households", errors, minimum=0)
        returnees = clean_returnees(data, errors, lookups, frozenset(self.aliases))
        reason = clean_text(data, "reason", errors, max_length=100)
        period = clean_text(data, "period", errors, max_length=100)
        title = clean_text(data, "round_title", errors, max_length=200)
        if errors:
            raise MappingError(errors)
        return {
            "round_number": number,
            "reporting_date": day,
            "round_title": title,
            "area": area,
            "site": site,
            **counts,
            "households": households,
            **returnees,
            "reason": reason,
            "period": period,
        }

    def save(self, items: list[Item]) -> None:
        self._items_save(services.displacement_figures_save_batch, services.DisplacementRow, items)


# --- MRRC occupancy --------------------------------------------------------------------------


class MrrcOccupancyMapper(MobilityMapper):
    form_id = "mrrc_occupancy"
    example = EXAMPLES["mrrc_occupancy"]
    model = MrrcOccupancy
    permission = "mobility.add_mrrcoccupancy"
    title = gettext_lazy("MRRC occupancy")
    aliases = column_aliases(ALIASES, "mrrc_occupancy")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "date", errors, required=True, not_future=True)
        site = site_clean(data, errors, lookups, submitter, kinds=(SiteKind.MRRC,), on=day)
        counts = clean_sex_age(data, errors)
        if errors:
            raise MappingError(errors)
        return {"site": site, "date": day, **counts}

    def save(self, items: list[Item]) -> None:
        self._items_save(services.mrrc_occupancy_save_batch, services.MrrcOccupancyRow, items)


# --- Stranded migrants -----------------------------------------------------------------------


class StrandedMapper(MobilityMapper):
    form_id = "stranded"
    example = EXAMPLES["stranded"]
    model = StrandedMigrants
    permission = "mobility.add_strandedmigrants"
    title = gettext_lazy("Stranded migrants")
    aliases = column_aliases(ALIASES, "stranded")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "date", errors, required=True, not_future=True)
        site = site_clean(data, errors, lookups, submitter, on=day)
        count = clean_int(data, "count", errors, required=True, minimum=0)
        nationalities = clean_countries(data, "nationalities", errors)
        needs = clean_words(data, "needs", errors, Need, NEED_WORDS)
        note = clean_text(data, "note", errors)
        if errors:
            raise MappingError(errors)
        return {
            "site": site,
            "date": day,
            "count": count,
            "nationalities": nationalities,
            "needs": needs,
            "note": note,
        }

    def save(self, items: list[Item]) -> None:
        self._items_save(services.stranded_migrants_save_batch, services.StrandedRow, items)


# --- Events ----------------------------------------------------------------------------------


class EventMapper(MobilityMapper):
    form_id = "event"
    example = EXAMPLES["event"]
    model = MobilityEvent
    permission = "mobility.add_mobilityevent"
    title = gettext_lazy("Emergency event tracking")
    aliases = column_aliases(ALIASES, "event")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "event_date", errors, required=True, not_future=True)
        event_type = clean_word(
            data, "event_type", errors, MobilityEvent.Type, EVENT_WORDS, required=True
        )
        area = clean_area(data, "area", errors, lookups, levels=(0, 1, 2, 3), required=True)
        site = None
        if _raw(data, "site") is not None:
            site = site_clean(data, errors, lookups, submitter)
        else:
            check_area_scope(errors, "area", area, submitter)
        values = {
            "event_date": day,
            "event_type": event_type,
            "area": area,
            "site": site,
            "households": clean_int(data, "households", errors, minimum=0),
            "individuals": clean_int(data, "individuals", errors, minimum=0),
            "from_location": clean_text(data, "from_location", errors, max_length=200),
            "to_location": clean_text(data, "to_location", errors, max_length=200),
            "shelter": clean_text(data, "shelter", errors, max_length=200),
            "needs": clean_words(data, "needs", errors, Need, NEED_WORDS),
            "description": clean_text(data, "description", errors),
            "source": clean_text(data, "source", errors, max_length=200),
        }
        if errors:
            raise MappingError(errors)
        return values

    def save(self, items: list[Item]) -> None:
        self._items_save(services.mobility_events_save_batch, services.MobilityEventRow, items)


MAPPERS = (FlowCountMapper, DisplacementMapper, MrrcOccupancyMapper, StrandedMapper, EventMapper)


def register_all() -> None:
    for mapper in MAPPERS:
        register(mapper())
