"""Reads of protection records. Who may see what is decided here, once:

1. geographic scope (`restrict_to_scope`, the reader's admin areas and sites), then
2. the record scope of the reader's role: *self* (own cases), *team* (own and own teams'
   cases), *area* (every case in the geographic scope), *all* (every case, anywhere), then
3. the GBV restriction: a GBV case is opened, and its names read, only by its owner and the
   GBV team (`protection.view_gbv_case`, who see every GBV case of their geographic scope);
   others who see it in a list see its name masked;
4. a break-the-glass opening (`CaseAccess`, audited with its reason) adds one case for one
   user for a limited time.

Referral recipients (the focal points of a service provider) see the referrals addressed to
their organisation and only what was shared with them, not the case.

Every read of a case writes the audit log (`case_get`, `case_rows`, `case_identifiers_read`).

Size: just over 500 lines because who may see a case is decided once, here, and every read of
cases and referrals builds on `cases_visible` and `_within_rules`; the temporary sites (CCCM,
at the end) are the seam to cut when the module grows (issue 14's module, still being worked on).
"""

import datetime as dt
import enum
from dataclasses import dataclass
from statistics import median

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, Max, Q, QuerySet, Value, When
from django.db.models import Case as ExpressionCase
from django.http import Http404
from django.utils import timezone

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import Scope, restrict_to_scope, user_scope
from hbmm.accounts.services import audit_log
from hbmm.places.models import Site
from hbmm.protection.models import (
    Assistance,
    Case,
    CaseAccess,
    CaseEvent,
    ProtectionTeam,
    Referral,
    ReferralPathway,
    ServiceProvider,
    SiteMonitoring,
    VoluntaryReturn,
)

IDENTIFIER_FIELDS = ("name", "phone", "document_number")
MASK = "●●●●●"
OPEN_REFERRAL = (Referral.Status.IN_PROGRESS, Referral.Status.ACCEPTED)


class RecordScope(enum.StrEnum):
    NONE = "none"
    SELF = "self"
    TEAM = "team"
    AREA = "area"
    ALL = "all"


def record_scope(user) -> RecordScope:
    """The widest record scope the user's roles give."""
    if not user.is_authenticated or not user.is_active:
        return RecordScope.NONE
    if user.has_perm("protection.view_all_cases"):
        return RecordScope.ALL
    if user.has_perm("protection.view_area_cases"):
        return RecordScope.AREA
    if user.has_perm("protection.view_team_cases"):
        return RecordScope.TEAM
    if user.has_perm("protection.view_case"):
        return RecordScope.SELF
    return RecordScope.NONE


def _granted(user, now: dt.datetime | None = None) -> Q:
    """Cases the user opened by breaking the glass, while the opening lasts."""
    now = now or timezone.now()
    return Q(pk__in=CaseAccess.objects.filter(user=user, expires_at__gt=now).values("case_id"))


def cases_visible(*, user, scope: Scope | None = None) -> QuerySet:
    """The cases `user` may see (in lists; GBV names masked there), within `scope` (the
    user's own scope, or a part of it)."""
    queryset = Case.objects.select_related("site", "site__area", "owner", "team")
    kind = record_scope(user)
    if kind is RecordScope.NONE:
        return queryset.none()
    if kind is RecordScope.ALL:
        return queryset if scope is None else restrict_to_scope(queryset, scope)
    queryset = restrict_to_scope(queryset, scope if scope is not None else user_scope(user))
    if kind is RecordScope.AREA:
        return queryset
    rule = Q(owner=user) | _granted(user)
    if user.has_perm("protection.view_gbv_case"):
        rule |= Q(is_gbv=True)  # the GBV team follows the GBV cases of its geographic scope
    if kind is RecordScope.TEAM:
        rule |= Q(team_id__in=ProtectionTeam.objects.filter(members=user).values("pk"))
    return queryset.filter(rule)


def is_gbv_reader(user, case: Case) -> bool:
    return case.owner_id == user.pk or user.has_perm("protection.view_gbv_case")


def has_glass_access(user, case: Case) -> bool:
    return CaseAccess.objects.filter(user=user, case=case, expires_at__gt=timezone.now()).exists()


def can_open(user, case: Case) -> bool:
    """Whether the user may open a case they can see in a list (the GBV restriction)."""
    return not case.is_gbv or is_gbv_reader(user, case) or has_glass_access(user, case)


def can_read_identifiers(user, case: Case) -> bool:
    return (
        case.anonymised_at is None
        and user.has_perm("protection.view_case_identifiers")
        and can_open(user, case)
    )


def case_find(*, user, case_key: str) -> Case:
    """The case for a write or a read by `user`: 404 when the user may not see it, 403 when it
    is a GBV case the user may not open. Writes no audit (services do)."""
    try:
        case = cases_visible(user=user).get(case_key=case_key)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    if not can_open(user, case):
        raise PermissionDenied
    return case


def case_get(*, user, case_key: str, request=None) -> Case:
    """One case, opened by `user`; the reading is audited (who, when; why, for a case opened by
    breaking the glass)."""
    try:
        case = cases_visible(user=user).get(case_key=case_key)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    if not can_open(user, case):
        raise PermissionDenied
    details: dict = {"case_key": case.case_key, "fields": []}
    if not _within_rules(user, case):
        access = (
            CaseAccess.objects.filter(user=user, case=case, expires_at__gt=timezone.now())
            .order_by("-granted_at")
            .first()
        )
        if access is not None:
            details["break_glass"] = access.reason
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target=f"protection.case:{case.pk}",
        details=details,
        request=request,
    )
    return case


def _within_rules(user, case: Case) -> bool:
    """Whether the user sees the case by the record rules alone (not by a glass opening)."""
    kind = record_scope(user)
    if case.is_gbv and not is_gbv_reader(user, case):
        return False
    if kind in (RecordScope.ALL, RecordScope.AREA):
        return True
    if case.owner_id == user.pk or (case.is_gbv and user.has_perm("protection.view_gbv_case")):
        return True
    return (
        kind is RecordScope.TEAM
        and ProtectionTeam.objects.filter(cases=case, members=user).exists()
    )


def case_in_geographic_scope(*, user, case_key: str) -> Case:
    """A case in the user's geographic scope whatever its record rules (for breaking the
    glass); 404 outside the geographic scope."""
    try:
        return restrict_to_scope(Case.objects.all(), user_scope(user)).get(case_key=case_key)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_identifiers_read(*, user, case: Case, request=None) -> dict[str, str]:
    """The case's name, phone and document number, for a user allowed to read them; every
    read is written to the audit log."""
    if not can_read_identifiers(user, case):
        raise PermissionDenied
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target=f"protection.case:{case.pk}",
        details={"case_key": case.case_key, "fields": list(IDENTIFIER_FIELDS)},
        request=request,
    )
    return {field: getattr(case, field) for field in IDENTIFIER_FIELDS}


def case_list(
    *,
    user,
    scope: Scope | None = None,
    status: str = "",
    vulnerability: str = "",
    site: str = "",
) -> QuerySet:
    queryset = cases_visible(user=user, scope=scope)
    if status:
        queryset = queryset.filter(status=status)
    if vulnerability:
        queryset = queryset.filter(vulnerabilities__icontains=f'"{vulnerability}"')
    if site:
        queryset = queryset.filter(site__code=site)
    return queryset


@dataclass(frozen=True)
class CaseRow:
    case: Case
    name: str  # "" when not shown to this reader
    masked: bool  # a GBV case whose name this reader may not see
    openable: bool


def case_rows(*, user, cases, request=None, purpose: str = "list") -> list[CaseRow]:
    """Cases as a list shows or exports them: the name for readers of identifiers, masked on
    GBV cases for everyone but their owner and the GBV team. The names read are audited, one
    event for the page."""
    cases = list(cases)
    may_read = user.has_perm("protection.view_case_identifiers")
    granted = set(
        CaseAccess.objects.filter(
            user=user, case__in=cases, expires_at__gt=timezone.now()
        ).values_list("case_id", flat=True)
    )
    gbv_team = user.has_perm("protection.view_gbv_case")
    rows = []
    for case in cases:
        openable = not case.is_gbv or gbv_team or case.owner_id == user.pk or case.pk in granted
        show = may_read and openable and case.anonymised_at is None
        rows.append(
            CaseRow(
                case=case,
                name=case.name if show else "",
                masked=case.is_gbv and not openable,
                openable=openable,
            )
        )
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target="protection.case_list" if purpose == "list" else "protection.case_export",
        details={
            "cases": [r.case.case_key for r in rows],
            "fields": ["name"] if any(r.name for r in rows) else [],
        },
        request=request,
    )
    return rows


def case_events(*, case: Case) -> QuerySet:
    return CaseEvent.objects.filter(case=case).select_related("by")


def case_referrals(*, case: Case) -> QuerySet:
    return Referral.objects.filter(case=case).select_related("provider", "created_by")


def case_assistance(*, case: Case) -> QuerySet:
    return Assistance.objects.filter(case=case).select_related("given_by")


def case_return(*, case: Case) -> VoluntaryReturn | None:
    return VoluntaryReturn.objects.filter(case=case).first()


def providers(*, service_type: str = "") -> QuerySet:
    queryset = ServiceProvider.objects.filter(is_active=True)
    if service_type:
        queryset = queryset.filter(service_types__icontains=f'"{service_type}"')
    return queryset


def referrals_received(*, user) -> QuerySet:
    """Referrals addressed to a provider the user is a focal point of."""
    if not user.has_perm("protection.view_referral"):
        return Referral.objects.none()
    return Referral.objects.filter(
        provider_id__in=ServiceProvider.objects.filter(focal_users=user).values("pk")
    ).select_related("provider", "case")


def referrals_visible(*, user) -> QuerySet:
    """Referrals of the cases the user sees, and those addressed to the user's organisation."""
    if not user.has_perm("protection.view_referral"):
        return Referral.objects.none()
    return Referral.objects.filter(
        Q(case_id__in=cases_visible(user=user).values("pk"))
        | Q(provider_id__in=ServiceProvider.objects.filter(focal_users=user).values("pk"))
    ).select_related("provider", "case")


def is_recipient(user, referral: Referral) -> bool:
    return referral.provider.focal_users.filter(pk=user.pk).exists()


def referral_get(*, user, pk: int) -> Referral:
    try:
        return referrals_visible(user=user).get(pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404 from exc


def referral_shared_read(*, user, referral: Referral, request=None) -> dict:
    """What the referral shares with its recipient, and nothing else; the reading is audited
    (identifiers only when shared)."""
    if not is_recipient(user, referral):
        raise PermissionDenied
    case = referral.case
    shared = set(referral.shared)
    out: dict = {"case_key": case.case_key}
    fields: list[str] = []
    if "identifiers" in shared and case.anonymised_at is None:
        out.update({field: getattr(case, field) for field in IDENTIFIER_FIELDS})
        fields += list(IDENTIFIER_FIELDS)
    if "profile" in shared:
        out.update(
            {
                "sex": case.get_sex_display(),
                "age_group": case.get_age_group_display(),
                "nationality": case.nationality,
            }
        )
    if "vulnerabilities" in shared:
        out["vulnerabilities"] = case.vulnerability_labels()
    if "needs" in shared:
        out["needs"] = case.need_labels()
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target=f"protection.referral:{referral.pk}",
        details={"case_key": case.case_key, "fields": fields, "shared": sorted(shared)},
        request=request,
    )
    return out


def referrals_overdue(*, user, today: dt.date | None = None) -> QuerySet:
    """The worklist: open referrals (in progress, accepted) whose follow-up date has passed."""
    today = today or timezone.localdate()
    return (
        referrals_visible(user=user)
        .filter(status__in=OPEN_REFERRAL, due_on__lt=today)
        .order_by("due_on", "pk")
    )


# Aggregates: no identifier, no record; what figures and the report read.


@dataclass(frozen=True)
class ProtectionTotals:
    registered: int
    open: int
    closed: int
    by_vulnerability: dict[str, int]
    by_sex_age: dict[tuple[str, str], int]
    referrals: int
    referrals_accepted: int
    referrals_done: int
    median_days_to_acceptance: float | None
    returns_departed: int
    assistance: int
    stranded_linked: int


def protection_totals(
    *, scope: Scope, start: dt.date | None = None, end: dt.date | None = None
) -> ProtectionTotals:
    """Counts over the cases identified in the period (inclusive) in `scope`: geographic scope
    only (figures are aggregates, not records). What happened to them is counted as it stood
    at the end of `end` (referrals made, accepted, completed by then; departures by then).
    Counts by vulnerability and by sex and age use only the cases that consented to use in
    statistics."""
    cases = restrict_to_scope(Case.objects.all(), scope)
    if start is not None:
        cases = cases.filter(identified_on__gte=start)
    referrals = Referral.objects.filter(case__in=cases)
    returns = VoluntaryReturn.objects.filter(case__in=cases, departure_on__isnull=False)
    assistance = Assistance.objects.filter(case__in=cases)
    if end is not None:
        cases = cases.filter(identified_on__lte=end)
        referrals = Referral.objects.filter(case__in=cases, created_at__date__lte=end)
        returns = returns.filter(case__in=cases, departure_on__lte=end)
        assistance = assistance.filter(case__in=cases, given_on__lte=end)
    counts = cases.aggregate(
        registered=Count("pk"),
        open=Count("pk", filter=~Q(status=Case.Status.CLOSED)),
        closed=Count("pk", filter=Q(status=Case.Status.CLOSED)),
        stranded_linked=Count("pk", filter=Q(stranded_group__isnull=False)),
    )
    by_vulnerability: dict[str, int] = {}
    by_sex_age: dict[tuple[str, str], int] = {}
    for sex, age_group, vulnerabilities in cases.filter(consent_statistics=True).values_list(
        "sex", "age_group", "vulnerabilities"
    ):
        by_sex_age[(sex, age_group)] = by_sex_age.get((sex, age_group), 0) + 1
        for code in set(vulnerabilities):
            by_vulnerability[code] = by_vulnerability.get(code, 0) + 1
    accepted_by = Q(accepted_at__isnull=False)
    done_by = Q(status=Referral.Status.DONE)
    if end is not None:
        accepted_by &= Q(accepted_at__date__lte=end)
        done_by &= Q(closed_at__date__lte=end)
    ref_counts = referrals.aggregate(
        referrals=Count("pk"),
        accepted=Count("pk", filter=accepted_by),
        done=Count("pk", filter=done_by),
    )
    delays = [
        (accepted - created).total_seconds() / 86400
        for created, accepted in referrals.filter(accepted_by).values_list(
            "created_at", "accepted_at"
        )
        if accepted is not None
    ]
    return ProtectionTotals(
        registered=counts["registered"],
        open=counts["open"],
        closed=counts["closed"],
        by_vulnerability=dict(sorted(by_vulnerability.items())),
        by_sex_age=dict(sorted(by_sex_age.items())),
        referrals=ref_counts["referrals"],
        referrals_accepted=ref_counts["accepted"],
        referrals_done=ref_counts["done"],
        median_days_to_acceptance=round(median(delays), 1) if delays else None,
        returns_departed=returns.count(),
        assistance=assistance.count(),
        stranded_linked=counts["stranded_linked"],
    )


def latest_case_date(*, scope: Scope) -> dt.date | None:
    return restrict_to_scope(Case.objects.all(), scope).aggregate(d=Max("identified_on"))["d"]


def cases_of_stranded_groups(*, scope: Scope, group_ids: list[int]) -> int:
    """How many individual cases were registered from these stranded-migrant group counts."""
    return restrict_to_scope(Case.objects.filter(stranded_group_id__in=group_ids), scope).count()


def _is_stranded(stranded_group_id, vulnerabilities) -> bool:
    return stranded_group_id is not None or "stranded" in (vulnerabilities or ())


def stranded_assisted_by_site(
    *, scope: Scope, start: dt.date, end: dt.date
) -> list[tuple[str, int]]:
    """Stranded migrants given direct assistance between `start` and `end` (inclusive), per
    site where they were identified: [(site code, people)], sorted by site code. A stranded
    migrant is a case linked to a stranded-migrant group count or registered with the
    *stranded* vulnerability; each is counted once, however many times assisted. Geographic
    scope only (an aggregate: no record, no identifier, GBV cases counted but never named).
    The sum of the people is `stranded_assisted_total` of the same arguments."""
    given = Assistance.objects.filter(given_on__gte=start, given_on__lte=end)
    cases = restrict_to_scope(Case.objects.filter(pk__in=given.values("case_id")), scope)
    per_site: dict[str, int] = {}
    for code, group_id, vulnerabilities in cases.values_list(
        "site__code", "stranded_group_id", "vulnerabilities"
    ):
        if _is_stranded(group_id, vulnerabilities):
            per_site[code] = per_site.get(code, 0) + 1
    return sorted(per_site.items())


def stranded_assisted_total(*, scope: Scope, start: dt.date, end: dt.date) -> int:
    """How many stranded migrants were given direct assistance between `start` and `end`
    (see `stranded_assisted_by_site`)."""
    return sum(n for _code, n in stranded_assisted_by_site(scope=scope, start=start, end=end))


# --- Temporary sites (CCCM) ------------------------------------------------------------------


@dataclass(frozen=True)
class SiteStatus:
    site: object  # places.Site
    latest: SiteMonitoring | None
    pathways: list[ReferralPathway]


def temporary_sites(*, scope: Scope, on: dt.date | None = None) -> list[SiteStatus]:
    """Every temporary (IDP) site in scope with its latest monitoring on or before `on` and its
    referral pathway; three queries."""
    sites = list(
        restrict_to_scope(Site.objects.filter(kinds__code="idp_site"), scope)
        .select_related("area")
        .distinct()
        .order_by("code")
    )
    visits = SiteMonitoring.objects.filter(site__in=sites)
    if on is not None:
        visits = visits.filter(date__lte=on)
    latest: dict[int, SiteMonitoring] = {}
    for visit in visits.order_by("site_id", "-date", "-pk"):
        latest.setdefault(visit.site_id, visit)
    pathways: dict[int, list[ReferralPathway]] = {}
    for pathway in ReferralPathway.objects.filter(site__in=sites).select_related("provider"):
        pathways.setdefault(pathway.site_id, []).append(pathway)
    return [SiteStatus(s, latest.get(s.pk), pathways.get(s.pk, [])) for s in sites]


@dataclass(frozen=True)
class SitesTotals:
    sites: int  # temporary sites in scope
    monitored: int  # of which with a visit within max_age_days of `on`
    with_isolation: int  # of the monitored, with at least one isolation place
    isolation_capacity: int
    population: int
    distancing_done: int
    on: dt.date


def temporary_sites_totals(*, scope: Scope, on: dt.date, max_age_days: int = 31) -> SitesTotals:
    """The temporary sites' latest visits (within `max_age_days` before `on`), summed."""
    statuses = temporary_sites(scope=scope, on=on)
    oldest = on - dt.timedelta(days=max_age_days)
    recent = [s.latest for s in statuses if s.latest is not None and s.latest.date >= oldest]
    return SitesTotals(
        sites=len(statuses),
        monitored=len(recent),
        with_isolation=sum(1 for v in recent if (v.isolation_capacity or 0) > 0),
        isolation_capacity=sum(v.isolation_capacity or 0 for v in recent),
        population=sum(v.population for v in recent),
        distancing_done=sum(1 for v in recent if v.distancing == "done"),
        on=on,
    )


# Tables of the registry (`hbmm.protection.tables`: the drill-down pages and /api/v1/protection/):
# pseudonymous rows (case keys, never a name, a phone or a document), under the same record
# rules as the pages, each read audited.


def _openable(user):
    """An annotation: whether the GBV restriction lets `user` open the row's case (a GBV case
    is opened by its owner, the GBV team, or a broken glass still open)."""
    if user.has_perm("protection.view_gbv_case"):
        return Value(True, output_field=BooleanField())
    return ExpressionCase(
        When(Q(is_gbv=False) | Q(owner=user) | _granted(user), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _table_read(user, target: str, filters: dict) -> None:
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target=target,
        details={"filters": {k: str(v) for k, v in sorted(filters.items())}, "fields": []},
    )


def case_table(
    *,
    user,
    scope: Scope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    status: str = "",
    site: Site | None = None,
) -> QuerySet:
    """The cases `user` sees in `scope`, with `openable` (a GBV case the reader may not open
    keeps its key, its status and its place, not its vulnerabilities and needs); audited."""
    if user is None:
        return Case.objects.none()
    queryset = cases_visible(user=user, scope=scope)
    if start is not None:
        queryset = queryset.filter(identified_on__gte=start)
    if end is not None:
        queryset = queryset.filter(identified_on__lte=end)
    if status:
        queryset = queryset.filter(status=status)
    if site is not None:
        queryset = queryset.filter(site=site)
    _table_read(
        user,
        "protection.case_table",
        {"start": start, "end": end, "status": status, "site": site.code if site else ""},
    )
    return queryset.annotate(openable=_openable(user)).order_by("-identified_on", "-pk")


def referral_table(
    *, user, scope: Scope, area=None, status: str = "", service_type: str = ""
) -> QuerySet:
    """The referrals `user` sees (of the cases they see, and those addressed to their
    organisation, as on the pages), narrowed to the chosen area; audited. A referral of a GBV
    case the reader may not open is left out (its page is closed to them too)."""
    if user is None:
        return Referral.objects.none()
    queryset = referrals_visible(user=user)
    if area is not None:
        queryset = restrict_to_scope(queryset, scope)
    if status:
        queryset = queryset.filter(status=status)
    if service_type:
        queryset = queryset.filter(service_type=service_type)
    if not user.has_perm("protection.view_gbv_case"):
        queryset = queryset.filter(
            Q(case__is_gbv=False)
            | Q(case__owner=user)
            | Q(
                case_id__in=CaseAccess.objects.filter(
                    user=user, expires_at__gt=timezone.now()
                ).values("case_id")
            )
            | Q(provider_id__in=ServiceProvider.objects.filter(focal_users=user).values("pk"))
        )
    _table_read(user, "protection.referral_table", {"status": status, "service_type": service_type})
    return queryset.order_by("-created_at", "-pk")


def assistance_table(
    *, user, scope: Scope, start: dt.date | None = None, end: dt.date | None = None, kind: str = ""
) -> QuerySet:
    """Assistance given to the cases `user` sees and may open, in `scope`; audited."""
    if user is None:
        return Assistance.objects.none()
    cases = cases_visible(user=user, scope=scope).annotate(openable=_openable(user))
    queryset = Assistance.objects.filter(
        case_id__in=cases.filter(openable=True).values("pk")
    ).select_related("case")
    if start is not None:
        queryset = queryset.filter(given_on__gte=start)
    if end is not None:
        queryset = queryset.filter(given_on__lte=end)
    if kind:
        queryset = queryset.filter(kind=kind)
    _table_read(user, "protection.assistance_table", {"start": start, "end": end, "kind": kind})
    return queryset.order_by("-given_on", "-pk")


def site_monitoring_table(
    *, scope: Scope, start: dt.date | None = None, end: dt.date | None = None, site=None
) -> QuerySet:
    """Visits of the temporary sites in `scope` (no person in them: counts and facilities)."""
    queryset = restrict_to_scope(SiteMonitoring.objects.select_related("site"), scope)
    if start is not None:
        queryset = queryset.filter(date__gte=start)
    if end is not None:
        queryset = queryset.filter(date__lte=end)
    if site is not None:
        queryset = queryset.filter(site=site)
    return queryset.order_by("-date", "-pk")
