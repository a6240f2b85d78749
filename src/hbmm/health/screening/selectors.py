"""Reads for traveller screening, always through the caller's scope.

`screening_summary` and `screening_figures` are the figures of the DHIS2 point-of-entry
package (screened, with symptoms, suspect, isolated, referred, sampled, positive), counted by
the date of screening, plus the median delays screening -> notification -> referral.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractIsoYear, ExtractWeek

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import get_in_scope_or_404, restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.health.screening.delays import Middles, delay_medians, delay_middles
from hbmm.health.screening.models import (
    STEP_NAMES,
    AgeGroup,
    CaseDefinition,
    FollowUpOutcome,
    FollowUpVisit,
    Screening,
    ScreeningDay,
)
from hbmm.periods import midnight, on_days
from hbmm.places.models import AdminArea

IDENTIFIER_FIELDS = ("name", "phone", "document_number")
DIMENSIONS = {
    "point": "point__code",
    "week": None,  # ISO year and week, computed
    "sex": "sex",
    "age_group": "age_group",
    "nationality": "nationality",
}
COUNTS = {
    "screened": Count("pk"),
    "with_symptoms": Count("pk", filter=Q(has_symptoms=True)),
    "suspect": Count("pk", filter=Q(is_suspect=True)),
    "isolated": Count("pk", filter=Q(isolated_at__isnull=False)),
    "notified": Count("pk", filter=Q(notified_at__isnull=False)),
    "referred": Count("pk", filter=Q(referred_at__isnull=False)),
    "sampled": Count("pk", filter=Q(sampled_at__isnull=False)),
    "positive": Count("pk", filter=Q(lab_result=Screening.LabResult.POSITIVE)),
}


def screenings_for(scope) -> QuerySet:
    return restrict_to_scope(
        Screening.objects.select_related("point", "point__area", "case_definition"), scope
    )


def screening_list(
    *,
    scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    point: str = "",
    suspect_only: bool = False,
    step: str = "",
) -> QuerySet:
    """Screenings in scope, newest first; `end` is inclusive."""
    queryset = on_days(screenings_for(scope), "screened_at", start, end)
    if point:
        queryset = queryset.filter(point__code=point)
    if suspect_only:
        queryset = queryset.filter(is_suspect=True)
    if step == "open":
        queryset = queryset.filter(is_suspect=True, outcome_at__isnull=True)
    return queryset


def screening_get(*, scope, pk: int) -> Screening:
    """One screening in the reader's scope (404 otherwise). Identifiers are not to be shown
    from it: use screening_identifiers_read."""
    return get_in_scope_or_404(
        Screening.objects.select_related(
            "point",
            "point__area",
            "case_definition",
            "destination",
            "referral_facility",
            "sample_lab",
            "agent",
            "decided_by",
        ),
        scope,
        pk=pk,
    )


def screening_visits(*, screening: Screening) -> QuerySet:
    return FollowUpVisit.objects.filter(screening=screening).select_related("by")


def screening_steps_from_forms(*, screening: Screening) -> list[str]:
    """The names of the workflow steps of `screening` recorded from a field form or a file
    (their audit event names the submission: `case_steps`), in the order recorded."""
    steps = (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DATA_CHANGE,
            target=f"health.screening:{screening.pk}",
            details__has_key="source",
        )
        .order_by("pk")
        .values_list("details__step", flat=True)
    )
    # The audit's step names (workflow.step_save) are STEP_NAMES' keys.
    return [str(STEP_NAMES[step]) for step in steps if step in STEP_NAMES]


def can_view_identifiers(user) -> bool:
    return user.has_perm("health.view_identifiers")


def screening_identifiers_read(*, user, screening: Screening, request=None) -> dict[str, str]:
    """The traveller's name, phone and document number, for a user allowed to see them; every
    read is written to the audit log."""
    if not can_view_identifiers(user):
        raise PermissionDenied
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target=f"health.screening:{screening.pk}",
        details={"fields": list(IDENTIFIER_FIELDS), "person_key": screening.person_key},
        request=request,
    )
    return {field: getattr(screening, field) for field in IDENTIFIER_FIELDS}


def case_definitions() -> QuerySet:
    return CaseDefinition.objects.all()


def _time_cut(scope) -> bool:
    return (
        getattr(scope, "known_on", None) is not None
        or getattr(scope, "changed_after", None) is not None
    )


def screening_days(*, scope, start: dt.date | None, end: dt.date | None) -> QuerySet:
    """The day summary (`ScreeningDay`: counts per point and day, kept equal to the records by
    `hbmm.health.screening.summaries`) of the period, in the reader's scope."""
    queryset = restrict_to_scope(ScreeningDay.objects.all(), scope)
    if start:
        queryset = queryset.filter(day__gte=start)
    if end:
        queryset = queryset.filter(day__lte=end)
    return queryset


def screening_summary(*, scope, start: dt.date | None, end: dt.date | None) -> dict:
    """Totals over the period (inclusive dates, by date of screening) in the reader's scope:
    the counts from the day summary, the delays from the suspects' records."""
    queryset = on_days(screenings_for(scope), "screened_at", start, end)
    points = Count("point", distinct=True)
    if _time_cut(scope):  # the summary holds the present; the records know when they came
        totals = queryset.aggregate(**COUNTS, points=points)
    else:
        days = screening_days(scope=scope, start=start, end=end)
        totals = days.aggregate(**{name: Coalesce(Sum(name), 0) for name in COUNTS}, points=points)
    screened = totals["screened"]
    for name in ("with_symptoms", "suspect"):
        totals[f"{name}_share"] = round(100 * totals[name] / screened, 1) if screened else None
    suspects = totals["suspect"]
    for name in ("isolated", "notified", "referred", "sampled"):
        totals[f"{name}_share"] = round(100 * totals[name] / suspects, 1) if suspects else None
    totals.update(delay_medians(queryset))
    totals["start"], totals["end"] = start, end
    return totals


def _iso_weeks(days: Iterable[dict]) -> list[dict]:
    """Counts by day (sorted by day) added up by ISO week, in the order of the weeks."""
    weeks: dict[tuple[int, int], dict] = {}
    for row in days:
        year, week, _weekday = row["day"].isocalendar()
        total = weeks.setdefault(
            (year, week), {"iso_year": year, "iso_week": week} | dict.fromkeys(COUNTS, 0)
        )
        for name in COUNTS:
            total[name] += row[name]
    return list(weeks.values())


def screening_figures(
    *,
    scope,
    start: dt.date | None,
    end: dt.date | None,
    by: tuple[str, ...] = ("point", "week"),
    delays: bool = True,
) -> list[dict]:
    """Counts grouped by any of point, week (ISO), sex, age_group, nationality; one query for
    the counts, one for the median delays (`delays=False`: counts only, the medians None).
    Rows are sorted by their keys."""
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimensions: {sorted(unknown)}")
    queryset = on_days(screenings_for(scope), "screened_at", start, end).order_by()
    # By point and week: the counts from the day summary; by traveller (sex, age, nationality):
    # from the records.
    counted, counts = queryset, dict[str, Count | Sum](COUNTS)
    from_summary = set(by) <= {"point", "week"} and not _time_cut(scope)
    if from_summary:
        counted = screening_days(scope=scope, start=start, end=end).order_by()
        counts = {name: Sum(name) for name in COUNTS}
    # By week alone, from the summary: summed by day, then by week here (a date groups faster
    # than the ISO year and week the database computes for each row, as numbers).
    weeks_of_days = from_summary and by == ("week",)
    if "week" in by:
        queryset = queryset.annotate(
            iso_year=ExtractIsoYear("screened_at"), iso_week=ExtractWeek("screened_at")
        )
        day = "day" if from_summary else "screened_at"
        if not weeks_of_days:
            counted = counted.annotate(iso_year=ExtractIsoYear(day), iso_week=ExtractWeek(day))
    fields = []
    for dimension in by:
        fields += ["iso_year", "iso_week"] if dimension == "week" else [DIMENSIONS[dimension]]
    if weeks_of_days:
        rows = _iso_weeks(counted.values("day").annotate(**counts).order_by("day"))
    else:
        rows = list(counted.values(*fields).annotate(**counts).order_by(*fields))
    middles = delay_middles(queryset, fields, ("notification", "referral")) if delays else {}
    result = []
    for row in rows:
        group = middles.get(tuple(row[f] for f in fields), Middles())
        out = {}
        for dimension in by:
            if dimension == "week":
                out["week"] = f"{row['iso_year']}-W{row['iso_week']:02d}"
            else:
                out[dimension] = row[DIMENSIONS[dimension]]
        out.update({name: row[name] for name in COUNTS})
        out["median_hours_to_notification"] = group.median("notification")
        out["median_hours_to_referral"] = group.median("referral")
        result.append(out)
    if "age_group" in by:  # age groups in their natural order, not alphabetical
        order = {code: index for index, code in enumerate(AgeGroup.values)}
        result.sort(key=lambda r: tuple(order[r[d]] if d == "age_group" else r[d] for d in by))
    return result


def latest_screening_date(*, scope) -> dt.date | None:
    """The day of the newest screening in scope."""
    moment = screenings_for(scope).aggregate(at=Max("screened_at"))["at"]
    return moment.date() if moment else None


# --- 14-day follow-up ------------------------------------------------------------------------

# Worklist statuses, in the order a team works through them.
DUE_STATUSES = ("not_reached", "overdue", "due", "to_close", "visited")


@dataclass(frozen=True)
class WorklistRow:
    """One traveller under follow-up on the worklist's day (pseudonymous: no identifiers)."""

    screening: Screening
    day: int  # days since the screening (day 1 is the day after)
    status: str  # one of DUE_STATUSES
    last_visit_on: dt.date | None
    missed_in_a_row: int
    area: AdminArea | None  # where the traveller is followed: destination, else the point's area


def missed_limit() -> int:
    """Missed visits in a row that make a traveller lost to follow-up (a setting)."""
    return max(1, int(settings.HBMM_FOLLOWUP_MISSED_LIMIT))


def followups_for(scope) -> QuerySet:
    return screenings_for(scope).filter(follow_up_until__isnull=False)


def _followup_area_filter(queryset: QuerySet, area: str) -> QuerySet:
    """The follow-ups in the area P-code `area` (and below): by destination, or by the point's
    area when the destination is unknown."""
    return queryset.filter(
        Q(destination__pcode__startswith=area)
        | Q(destination__isnull=True, point__area__pcode__startswith=area)
    )


def followup_worklist(*, scope, on: dt.date, area: str = "", team: str = "") -> list[WorklistRow]:
    """The open follow-ups in scope on day `on`, with what each needs (two queries):

    - visited: a visit reached the traveller on `on`;
    - to_close: the 14 days are over, the outcome is to be recorded;
    - not_reached: the last visit did not reach the traveller (one more missed in a row and
      the traveller is lost to follow-up);
    - overdue: no visit the day before (a day of follow-up missed);
    - due: today's visit is to be made.
    """
    queryset = (
        followups_for(scope)
        .select_related("destination")
        .filter(follow_up_outcome="", screened_at__lt=midnight(on))
        .order_by("follow_up_until", "pk")
    )
    if area:
        queryset = _followup_area_filter(queryset, area)
    if team:
        queryset = queryset.filter(follow_up_team=team)
    screenings = list(queryset)
    visits: dict[int, list[tuple[dt.date, bool]]] = {}
    for screening_id, visited_on, reached in (
        FollowUpVisit.objects.filter(screening__in=[s.pk for s in screenings], visited_on__lte=on)
        .order_by("visited_on", "pk")
        .values_list("screening_id", "visited_on", "reached")
    ):
        visits.setdefault(screening_id, []).append((visited_on, reached))
    rows = []
    for screening in screenings:
        own = visits.get(screening.pk, [])
        missed = 0
        for _day, reached in reversed(own):
            if reached:
                break
            missed += 1
        reached_days = {d for d, reached in own if reached}
        yesterday = on - dt.timedelta(days=1)
        if on in reached_days:
            status = "visited"
        elif screening.follow_up_until is not None and on > screening.follow_up_until:
            status = "to_close"
        elif missed:
            status = "not_reached"
        elif yesterday > screening.screened_at.date() and yesterday not in reached_days:
            status = "overdue"
        else:
            status = "due"
        rows.append(
            WorklistRow(
                screening=screening,
                day=(on - screening.screened_at.date()).days,
                status=status,
                last_visit_on=own[-1][0] if own else None,
                missed_in_a_row=missed,
                area=screening.destination or screening.point.area,
            )
        )
    order = {status: index for index, status in enumerate(DUE_STATUSES)}
    rows.sort(key=lambda r: (order[r.status], r.screening.follow_up_until, r.screening.pk))
    return rows


def followup_teams(*, scope) -> list[str]:
    """The teams named on follow-ups in scope, for the worklist's filter."""
    return list(
        followups_for(scope)
        .exclude(follow_up_team="")
        .order_by("follow_up_team")
        .values_list("follow_up_team", flat=True)
        .distinct()
    )


def followup_list(
    *,
    scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    point: str = "",
    outcome: str = "",
    open_on: dt.date | None = None,
) -> QuerySet:
    """Follow-ups of the travellers screened from `start` to `end` (inclusive); `outcome`:
    one of FollowUpOutcome, or "open"; `open_on`: those under follow-up that day."""
    queryset = on_days(followups_for(scope), "screened_at", start, end)
    if point:
        queryset = queryset.filter(point__code=point)
    if outcome == "open":
        queryset = queryset.filter(follow_up_outcome="")
    elif outcome:
        queryset = queryset.filter(follow_up_outcome=outcome)
    if open_on:
        queryset = _open_on(queryset, open_on)
    return queryset


def _open_on(queryset: QuerySet, day: dt.date) -> QuerySet:
    """Under follow-up on `day`: screened before, 14 days not over, not closed by then."""
    return queryset.filter(
        screened_at__lt=midnight(day),
        follow_up_until__gte=day,
    ).filter(Q(follow_up_closed_on__isnull=True) | Q(follow_up_closed_on__gt=day))


FOLLOWUP_COUNTS = {
    "followed": Count("pk"),
    "closed": Count("pk", filter=~Q(follow_up_outcome="")),
    **{
        outcome: Count("pk", filter=Q(follow_up_outcome=outcome))
        for outcome in FollowUpOutcome.values
    },
}


def followup_summary(*, scope, start: dt.date | None, end: dt.date | None) -> dict:
    """The follow-ups of the travellers screened in the period (by date of screening, the
    date of entry) by outcome, and the travellers under follow-up on `end` (today when None)."""
    totals = on_days(followups_for(scope), "screened_at", start, end).aggregate(**FOLLOWUP_COUNTS)
    day = end or dt.date.today()
    totals["under_follow_up"] = _open_on(followups_for(scope), day).count()
    totals["under_follow_up_on"] = day
    totals["start"], totals["end"] = start, end
    return totals


def followup_figures(
    *, scope, start: dt.date | None, end: dt.date | None, by: str = "point"
) -> list[dict]:
    """The follow-ups by outcome, by point of entry (`by="point"`) or ISO week of entry
    (`by="week"`), one query; rows sorted by their key."""
    queryset = on_days(followups_for(scope), "screened_at", start, end).order_by()
    if by == "week":
        queryset = queryset.annotate(
            iso_year=ExtractIsoYear("screened_at"), iso_week=ExtractWeek("screened_at")
        )
        fields = ["iso_year", "iso_week"]
    elif by == "point":
        fields = ["point__code", "point__name_fr"]
    else:
        raise ValueError(f"unknown dimension: {by}")
    rows = []
    for row in queryset.values(*fields).annotate(**FOLLOWUP_COUNTS).order_by(*fields):
        key = f"{row['iso_year']}-W{row['iso_week']:02d}" if by == "week" else row["point__code"]
        out = {"key": key, **{name: row[name] for name in FOLLOWUP_COUNTS}}
        if by == "point":
            out["name"] = row["point__name_fr"]
        rows.append(out)
    return rows
