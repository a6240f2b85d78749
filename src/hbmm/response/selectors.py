"""Reads of the response app. Every read of 4W rows takes the reader's geographic scope
(`scope=`, applied here with `restrict_to_scope`) and the organisations whose rows the reader
may see (`organisations=`: None for all, from `reader_organisations(user)`: a partner sees only
their own organisation's rows). The plan and its funding are national reference data: they
are read by anyone with the permission, whatever their scope.

Indicators computed from HBMM's own records (`Indicator.source == "computed"`) read the health
and protection domains through their selectors: the points assessed (capacity assessments),
the points with a handwashing station (each point's latest checklist), the travellers screened
and the stranded migrants given direct assistance (protection cases, counted, never listed).

Size: over 500 lines because it holds the three reads of the plan (its structure and targets,
its 4W reports with their progress, map and reach, and its funding and spending), which share
the scope and organisation rules above; funding and spending (`PillarFunding` to the end,
about 170 lines) is the seam to cut next.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum

from hbmm.accounts.scope import Scope, restrict_to_scope
from hbmm.health.poe import selectors as poe_selectors
from hbmm.health.screening import selectors as screening_selectors
from hbmm.places.models import AdminArea
from hbmm.protection import selectors as protection_selectors
from hbmm.response.models import (
    Activity,
    ActivityReport,
    Channel,
    Contribution,
    Expenditure,
    Indicator,
    Membership,
    Organisation,
    Pillar,
    Plan,
    ReportingPeriod,
    Status,
    Target,
)

VIEW_ALL_PERMISSION = "response.view_all_activityreports"


def reader_organisations(user) -> frozenset[int] | None:
    """The organisations whose 4W rows `user` may see: None for all (a reader with
    `response.view_all_activityreports`), else the organisation they belong to (none: nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.has_perm(VIEW_ALL_PERMISSION):
        return None
    cached = getattr(user, "_hbmm_response_orgs", None)
    if cached is not None:
        return cached
    orgs = frozenset(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    user._hbmm_response_orgs = orgs
    return orgs


def user_organisation(user) -> Organisation | None:
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    return membership.organisation if membership else None


# --- The plan --------------------------------------------------------------------------------


def current_plan(*, on: dt.date | None = None) -> Plan | None:
    """The plan running on `on` (the latest started, by default the latest plan)."""
    plans = Plan.objects.order_by("-start", "code")
    if on is not None:
        running = plans.filter(start__lte=on).first()
        return running or None
    return plans.first()


def plan_by_code(code: str) -> Plan | None:
    return Plan.objects.filter(code=code).first()


def plan_pillars(*, plan: Plan) -> QuerySet:
    return plan.pillars.select_related("priority").order_by("number")


def plan_indicators(*, plan: Plan) -> QuerySet:
    return Indicator.objects.filter(plan=plan).select_related("activity__pillar")


def plan_structure(*, plan: Plan) -> list[tuple]:
    """[(priority, [(pillar, [activity], [indicator])])] in the plan's order, in 4 queries."""
    priorities = list(plan.priorities.order_by("number"))
    pillars = list(plan.pillars.order_by("number"))
    activities: dict[int, list] = defaultdict(list)
    for activity in Activity.objects.filter(pillar__plan=plan).order_by("pillar__number", "number"):
        activities[activity.pillar_id].append(activity)
    indicators: dict[int, list] = defaultdict(list)
    for indicator in plan_indicators(plan=plan).order_by("activity__number", "code"):
        indicators[indicator.activity.pillar_id].append(indicator)
    return [
        (
            priority,
            [
                (p, activities[p.pk], indicators[p.pk])
                for p in pillars
                if p.priority_id == priority.pk
            ],
        )
        for priority in priorities
    ]


def current_targets(*, plan: Plan, scope: Scope) -> dict[int, Target | None]:
    """Each indicator's target that applies to `scope`: the latest version of its national
    target for a national scope, else None (areas have targets only where set for them)."""
    latest: dict[int, Target | None] = {}
    targets = Target.objects.filter(indicator__plan=plan).order_by("indicator_id", "-version")
    if scope.is_national:
        targets = targets.filter(area__isnull=True)
        for target in targets:
            latest.setdefault(target.indicator_id, target)
        return latest
    if len(scope.area_paths) == 1 and not scope.site_ids:
        for target in targets.filter(area__path=scope.area_paths[0]):
            latest.setdefault(target.indicator_id, target)
    return latest


def target_history(*, indicator: Indicator) -> QuerySet:
    return indicator.targets.select_related("area", "set_by").order_by("area__pcode", "-version")


def reporting_periods(*, plan: Plan) -> QuerySet:
    return ReportingPeriod.objects.filter(plan=plan).select_related("locked_by").order_by("-month")


def period_of(*, plan: Plan, month: dt.date) -> ReportingPeriod | None:
    return ReportingPeriod.objects.filter(plan=plan, month=month.replace(day=1)).first()


def organisations(*, kind: str | None = None) -> QuerySet:
    queryset = Organisation.objects.order_by("name")
    return queryset.filter(kind=kind) if kind else queryset


# --- 4W activity reports ---------------------------------------------------------------------


def activity_reports(
    *,
    scope: Scope,
    organisations: frozenset[int] | None,
    plan: Plan | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    pillar: str = "",
    indicator: str = "",
    organisation: str = "",
    status: str = "",
    period: ReportingPeriod | None = None,
) -> QuerySet:
    """4W rows in the reader's scope and organisations; `start`/`end` are months (any day of
    them, both included)."""
    queryset = restrict_to_scope(ActivityReport.objects.all(), scope)
    if organisations is not None:
        queryset = queryset.filter(organisation_id__in=organisations)
    if plan is not None:
        queryset = queryset.filter(period__plan=plan)
    if period is not None:
        queryset = queryset.filter(period=period)
    if start is not None:
        queryset = queryset.filter(period__month__gte=start.replace(day=1))
    if end is not None:
        queryset = queryset.filter(period__month__lte=end.replace(day=1))
    if pillar:
        queryset = queryset.filter(indicator__activity__pillar__code=pillar)
    if indicator:
        queryset = queryset.filter(indicator__code=indicator)
    if organisation:
        queryset = queryset.filter(organisation__code=organisation)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def activity_report_get(*, scope: Scope, organisations: frozenset[int] | None, pk: int):
    """One 4W row, or None when it does not exist or is not the reader's to see."""
    return (
        activity_reports(scope=scope, organisations=organisations)
        .select_related("period", "indicator", "organisation", "area", "site")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    achieved: Decimal | None  # None: nothing reported / computed yet
    target: Target | None
    rows: int  # the 4W rows counted (0 for a computed indicator)
    partners: int
    areas: int
    start: dt.date | None = None  # the period the value covers (computed indicators)
    end: dt.date | None = None

    @property
    def share(self) -> Decimal | None:
        if self.achieved is None or self.target is None or not self.target.value:
            return None
        return self.achieved * 100 / self.target.value


def indicator_progress(
    *,
    plan: Plan,
    scope: Scope,
    organisations: frozenset[int] | None,
    as_of: dt.date,
    pillar: Pillar | None = None,
    with_computed: bool = True,
) -> list[IndicatorProgress]:
    """Each indicator of the plan with what was achieved from the plan's start to the month of
    `as_of` (completed 4W rows: counts summed; a percentage or yes/no the mean of the latest
    month reported), and the target that applies to the scope. Two queries for all the
    reported indicators, whatever the number of rows."""
    indicators = list(plan_indicators(plan=plan).order_by("activity__pillar__number", "code"))
    if pillar is not None:
        indicators = [i for i in indicators if i.activity.pillar_id == pillar.pk]
    targets = current_targets(plan=plan, scope=scope)
    rows = activity_reports(scope=scope, organisations=organisations, plan=plan, end=as_of).filter(
        status=Status.COMPLETED
    )
    rows = rows.order_by()  # no default ordering: its joins would run for every row
    totals = {
        r["indicator_id"]: r
        for r in rows.values("indicator_id").annotate(
            total=Sum("value"),
            n=Count("id"),
            partners=Count("organisation_id", distinct=True),
            areas=Count("area_id", distinct=True),
            latest=Max("period__month"),
        )
    }
    result = []
    for indicator in indicators:
        target = targets.get(indicator.pk)
        if indicator.source == Indicator.Source.COMPUTED:
            if not with_computed:
                continue
            value, start, end = computed_value(
                indicator=indicator, plan=plan, scope=scope, as_of=as_of
            )
            result.append(IndicatorProgress(indicator, value, target, 0, 0, 0, start, end))
            continue
        row = totals.get(indicator.pk)
        if row is None:
            result.append(IndicatorProgress(indicator, None, target, 0, 0, 0))
            continue
        achieved = row["total"]
        if indicator.kind != Indicator.Kind.COUNT:
            latest = rows.filter(indicator=indicator, period__month=row["latest"]).aggregate(
                total=Sum("value"), n=Count("id")
            )
            achieved = latest["total"] / latest["n"] if latest["n"] else None
        result.append(
            IndicatorProgress(indicator, achieved, target, row["n"], row["partners"], row["areas"])
        )
    return result


def computed_value(
    *, indicator: Indicator, plan: Plan, scope: Scope, as_of: dt.date
) -> tuple[Decimal | None, dt.date, dt.date]:
    """The value of a computed indicator over [plan start, as_of], from HBMM's own records."""
    start, end = plan.start, min(as_of, plan.end)
    name = indicator.computed_figure
    if end < start:
        return None, start, end
    if name == "poe.points_assessed":
        n = (
            poe_selectors.capacity_assessments(scope=scope, start=start, end=end)
            .values("site_id")
            .distinct()
            .count()
        )
        return (Decimal(n) if n else None), start, end
    if name == "poe.handwashing_points":
        latest = poe_selectors.capacity_latest(scope=scope, round_start=start, round_end=end)
        if not latest:
            return None, start, end
        item = poe_selectors.item_figure(latest, "handwashing")
        return Decimal(len(item.answered) - len(item.without)), start, end
    if name == "screening.travellers_screened":
        screened = screening_selectors.screening_summary(scope=scope, start=start, end=end)[
            "screened"
        ]
        return (Decimal(screened) if screened else None), start, end
    if name == "protection.stranded_assisted":
        n = protection_selectors.stranded_assisted_total(scope=scope, start=start, end=end)
        return (Decimal(n) if n else None), start, end
    return None, start, end


def stranded_assisted_sites(*, scope: Scope, start: dt.date, end: dt.date) -> list[tuple]:
    """The drill-down of "stranded migrants assisted": per site, the people counted (protection
    aggregates: no case is listed)."""
    return protection_selectors.stranded_assisted_by_site(scope=scope, start=start, end=end)


def pillar_reach(
    *, plan: Plan, scope: Scope, organisations: frozenset[int] | None, as_of: dt.date
) -> dict[int, dict]:
    """Per pillar: 4W rows, partners and areas (completed rows up to as_of's month)."""
    rows = activity_reports(scope=scope, organisations=organisations, plan=plan, end=as_of).filter(
        status=Status.COMPLETED
    )
    return {
        r["indicator__activity__pillar_id"]: r
        for r in rows.order_by()
        .values("indicator__activity__pillar_id")
        .annotate(
            n=Count("id"),
            partners=Count("organisation_id", distinct=True),
            areas=Count("area_id", distinct=True),
        )
    }


@dataclass(frozen=True)
class MapArea:
    area: AdminArea  # a region (adm1) or a cercle (adm2)
    rows: int
    partners: int


@dataclass(frozen=True)
class ActivityPlaces:
    areas: list[dict]  # per reported area: area__pcode, area__name_fr, area__name_en, n, partners
    map: list[MapArea]  # per cercle (a commune's rows in its cercle) or region
    national: int  # rows reported for the whole country (no place on the map)


def activity_places(
    *, plan: Plan, scope: Scope, organisations: frozenset[int] | None, as_of: dt.date
) -> ActivityPlaces:
    """Where activities happened (every 4W row up to `as_of`'s month, whatever its status):
    per reported area, the rows and the organisations that reported there (the dashboard's
    table), and the same by cercle for the map (a region's own rows at the region). One scan
    of the rows (grouped by area and organisation), one query for the areas' names (and one
    more for the cercles of communes, when some have no row of their own)."""
    rows = activity_reports(scope=scope, organisations=organisations, plan=plan, end=as_of)
    groups = list(rows.values_list("area_id", "organisation_id").annotate(n=Count("id")).order_by())
    reported = {
        a.pk: a
        for a in AdminArea.objects.filter(pk__in={area_id for area_id, _o, _n in groups}).only(
            "pcode", "name_fr", "name_en", "path", "level"
        )
    }
    by_area: dict[int, dict] = {}
    counts: dict[str, int] = defaultdict(int)
    partners: dict[str, set] = defaultdict(set)
    national = 0
    for area_id, organisation, n in groups:
        area = reported[area_id]
        found = by_area.setdefault(
            area_id,
            {
                "area__pcode": area.pcode,
                "area__name_fr": area.name_fr,
                "area__name_en": area.name_en,
                "n": 0,
                "partners": 0,
            },
        )
        found["n"] += n
        found["partners"] += 1
        if not area.level:
            national += n
            continue
        key = area.path.split("/")[min(area.level, 2)]
        counts[key] += n
        partners[key].add(organisation)
    cercles = {a.pcode: a for a in reported.values() if a.pcode in counts}
    missing = set(counts) - set(cercles)
    if missing:  # cercles of communes that have no row of their own
        cercles.update({a.pcode: a for a in AdminArea.objects.filter(pcode__in=missing)})
    return ActivityPlaces(
        areas=sorted(by_area.values(), key=lambda r: r["area__pcode"]),
        map=[
            MapArea(cercles[pcode], n, len(partners[pcode]))
            for pcode, n in sorted(counts.items())
            if pcode in cercles
        ],
        national=national,
    )


def rcce_session_reach(
    *, scope: Scope, organisations: frozenset[int] | None, start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, int]]:
    """People reached by awareness sessions, per month and area: (the month's first day, the
    4W row's area path, people) from the completed 4W rows of risk-communication count
    indicators reported with the channel "awareness session", months of `start` to `end`
    (any day of them). Read by community feedback, beside its volume."""
    rows = activity_reports(scope=scope, organisations=organisations, start=start, end=end).filter(
        status=Status.COMPLETED,
        channel=Channel.SESSION,
        indicator__report_kind=Indicator.ReportKind.RCCE,
        indicator__kind=Indicator.Kind.COUNT,
    )
    return [
        (month, path, int(total))
        for month, path, total in rows.order_by()
        .values_list("period__month", "area__path")
        .annotate(total=Sum("value"))
        .values_list("period__month", "area__path", "total")
    ]


def latest_report_month(*, scope: Scope, organisations: frozenset[int] | None = None):
    return activity_reports(scope=scope, organisations=organisations).aggregate(
        m=Max("period__month")
    )["m"]


# --- Funding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PillarFunding:
    pillar: Pillar
    requirement: Decimal
    funded: Decimal  # contributions earmarked to the pillar, in the plan's currency

    @property
    def gap(self) -> Decimal:
        return max(self.requirement - self.funded, Decimal(0))

    @property
    def coverage(self) -> Decimal | None:
        return self.funded * 100 / self.requirement if self.requirement else None


@dataclass(frozen=True)
class Funding:
    plan: Plan
    pillars: list[PillarFunding]
    unearmarked: Decimal  # contributions to the plan as a whole
    contributions: int
    donors: int
    as_of: dt.date
    by_donor: list[dict] = field(default_factory=list)

    @property
    def requirement(self) -> Decimal:
        return sum((p.requirement for p in self.pillars), Decimal(0))

    @property
    def funded(self) -> Decimal:
        return sum((p.funded for p in self.pillars), Decimal(0)) + self.unearmarked

    @property
    def gap(self) -> Decimal:
        return max(self.requirement - self.funded, Decimal(0))

    @property
    def coverage(self) -> Decimal | None:
        return self.funded * 100 / self.requirement if self.requirement else None


def contributions(*, plan: Plan, as_of: dt.date | None = None, statuses=None) -> QuerySet:
    queryset = Contribution.objects.filter(plan=plan).select_related("donor", "pillar")
    if as_of is not None:
        queryset = queryset.filter(signed_on__lte=as_of)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


FUNDED_STATUSES = (Contribution.Status.COMMITTED, Contribution.Status.PAID)


def plan_funding(*, plan: Plan, as_of: dt.date) -> Funding:
    """Requirement, funding and gap per pillar and in total, in the plan's currency, from the
    contributions committed or paid (signed on or before `as_of`); pledges are not funding."""
    funded = contributions(plan=plan, as_of=as_of, statuses=FUNDED_STATUSES)
    per_pillar = {
        r["pillar_id"]: r["total"]
        for r in funded.values("pillar_id").annotate(total=Sum("amount_plan"))
    }
    pillars = [
        PillarFunding(p, p.requirement, per_pillar.get(p.pk) or Decimal(0))
        for p in plan_pillars(plan=plan)
    ]
    totals = funded.aggregate(n=Count("id"), donors=Count("donor_id", distinct=True))
    by_donor = list(
        funded.values("donor__code", "donor__name", "donor__acronym")
        .annotate(total=Sum("amount_plan"), n=Count("id"))
        .order_by("-total", "donor__code")
    )
    return Funding(
        plan=plan,
        pillars=pillars,
        unearmarked=per_pillar.get(None) or Decimal(0),
        contributions=totals["n"],
        donors=totals["donors"],
        as_of=as_of,
        by_donor=by_donor,
    )


def pledged_total(*, plan: Plan, as_of: dt.date) -> Decimal:
    return contributions(plan=plan, as_of=as_of, statuses=(Contribution.Status.PLEDGED,)).aggregate(
        t=Sum("amount_plan")
    )["t"] or Decimal(0)


def latest_contribution_date(*, plan: Plan | None = None) -> dt.date | None:
    queryset = Contribution.objects.all()
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    return queryset.aggregate(d=Max("signed_on"))["d"]


def period_row_counts(
    *, plan: Plan, scope: Scope, organisations: frozenset[int] | None
) -> QuerySet:
    """Per reporting period, the 4W rows the reader sees."""
    return (
        activity_reports(scope=scope, organisations=organisations, plan=plan)
        .values("period_id")
        .annotate(n=Count("id"))
        .order_by()
    )


# --- Expenditure -----------------------------------------------------------------------------


def expenditures(
    *,
    plan: Plan,
    start: dt.date | None = None,
    end: dt.date | None = None,
    pillar: str = "",
) -> QuerySet:
    """The plan's expenditure lines; `start`/`end` are months (any day of them, included)."""
    queryset = Expenditure.objects.filter(plan=plan).select_related("pillar")
    if start is not None:
        queryset = queryset.filter(month__gte=start.replace(day=1))
    if end is not None:
        queryset = queryset.filter(month__lte=end.replace(day=1))
    if pillar:
        queryset = queryset.filter(pillar__code=pillar)
    return queryset


@dataclass(frozen=True)
class PillarSpending:
    pillar: Pillar
    requirement: Decimal
    spent: Decimal
    lines: int

    @property
    def share(self) -> Decimal | None:
        return self.spent * 100 / self.requirement if self.requirement else None


def plan_spending(*, plan: Plan, as_of: dt.date) -> list[PillarSpending]:
    """Per pillar, in the plan's order: its requirement (budget) and what was spent from the
    plan's start to the month of `as_of` (the expenditure lines summed; corrections included).
    Two queries."""
    sums = {
        r["pillar_id"]: r
        for r in expenditures(plan=plan, end=as_of)
        .values("pillar_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    }
    return [
        PillarSpending(
            p,
            p.requirement,
            (sums.get(p.pk) or {}).get("total") or Decimal(0),
            (sums.get(p.pk) or {}).get("n") or 0,
        )
        for p in plan_pillars(plan=plan)
    ]


def latest_expenditure_month(*, plan: Plan) -> dt.date | None:
    return Expenditure.objects.filter(plan=plan).aggregate(m=Max("month"))["m"]
