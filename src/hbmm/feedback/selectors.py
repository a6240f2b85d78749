"""Reads of community feedback, through the reader's scope (`scope=`, applied here once).

RCCE reach beside the feedback volume (`reach_beside_feedback`) reads the people reached by
awareness sessions from the 4W reports through `hbmm.response.selectors` (the reader's scope
and organisations applied there).

Counts never need the text. The text, the answer and a consented name are read one entry at a
time through `feedback_text_read`, which checks the permission (`feedback.view_feedback_text`,
unless a reviewer marked the entry publishable) and writes the audit log.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import TruncWeek

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import Scope, get_in_scope_or_404, restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.feedback.models import Feedback
from hbmm.periods import midnight, on_days
from hbmm.places.models import AdminArea
from hbmm.response import selectors as response_selectors

TEXT_PERMISSION = "feedback.view_feedback_text"
PUBLISH_PERMISSION = "feedback.publish_feedback"
Status = Feedback.Status


def feedback_for(scope) -> QuerySet:
    return restrict_to_scope(Feedback.objects.select_related("site", "area"), scope)


def feedback_list(
    *,
    scope,
    status: str = "",
    kind: str = "",
    topic: str = "",
    channel: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    site=None,
    uncoded: bool = False,
    publishable: bool | None = None,
) -> QuerySet:
    """Entries in scope, filtered; `status="pending"` is open or referred (waiting for an
    answer), `uncoded` those without a type or a topic yet."""
    queryset = feedback_for(scope)
    if status == "pending":
        queryset = queryset.filter(status__in=(Status.OPEN, Status.REFERRED))
    elif status:
        queryset = queryset.filter(status=status)
    for name, value in (("kind", kind), ("topic", topic), ("channel", channel)):
        if value:
            queryset = queryset.filter(**{name: value})
    if site is not None:
        queryset = queryset.filter(site=site)
    if uncoded:
        queryset = queryset.filter(Q(kind="") | Q(topic=""))
    if publishable is not None:
        queryset = queryset.filter(publishable=publishable)
    return on_days(queryset, "received_at", start, end)


def feedback_get(*, scope, pk: int) -> Feedback:
    return cast(
        Feedback,
        get_in_scope_or_404(
            Feedback.objects.select_related(
                "site", "area", "coded_by", "answered_by", "reviewed_by"
            ),
            scope,
            pk=pk,
        ),
    )


def can_read_text(user, feedback: Feedback) -> bool:
    return feedback.publishable or user.has_perm(TEXT_PERMISSION)


def feedback_text_read(*, user, feedback: Feedback, request=None) -> dict[str, str]:
    """What was said, the answer given and (with consent, for readers of personal data) the
    person's name. An entry not yet publishable needs `feedback.view_feedback_text`, and
    every such read is written to the audit log."""
    if not can_read_text(user, feedback):
        raise PermissionDenied
    values = {"text": feedback.text, "answer": feedback.answer, "source_name": ""}
    if user.has_perm(TEXT_PERMISSION):
        values["source_name"] = feedback.source_name
    if not feedback.publishable or values["source_name"]:
        audit_log(
            action=AuditEvent.Action.READ_PROTECTED,
            actor=user,
            target=f"feedback.feedback:{feedback.pk}",
            details={"fields": [k for k, v in values.items() if v]},
            request=request,
        )
    return values


@dataclass(frozen=True)
class FeedbackSummary:
    """The entries received from `start` to `end` (inclusive) in a scope, as they stood at the
    end of `end`: coding, answers, referrals and closures recorded later are not counted, so a
    report for a past date stays as it was."""

    start: dt.date
    end: dt.date
    total: int
    by_kind: dict[str, int]  # coded by the end of `end`
    by_status: dict[str, int]  # status at the end of `end`
    by_channel: dict[str, int]
    uncoded: int
    answered: int  # answered by the end of `end`
    answered_within_target: int
    median_hours_to_answer: float | None
    target_hours: int = 72
    hours: list[float] = field(default_factory=list, compare=False)


ANSWER_TARGET_H = 72


def _counts(queryset: QuerySet, name: str) -> dict[str, int]:
    return dict(
        queryset.order_by().values_list(name).annotate(n=Count("pk")).values_list(name, "n")
    )


def _cutoff(end: dt.date) -> dt.datetime:
    return midnight(end + dt.timedelta(days=1))


def _coded_by(cutoff: dt.datetime) -> Q:
    return Q(coded_at__lt=cutoff) & ~Q(kind="") & ~Q(topic="")


def _coded_topic(cutoff: dt.datetime) -> Case:
    """The entry's topic if it was coded before `cutoff`, else "" (not coded yet)."""
    return Case(When(_coded_by(cutoff), then=F("topic")), default=Value(""))


def feedback_summary(*, scope: Scope, start: dt.date, end: dt.date) -> FeedbackSummary:
    cutoff = _cutoff(end)
    queryset = feedback_list(scope=scope, start=start, end=end).order_by()
    closed = Q(closed_at__lt=cutoff)
    answered = Q(answered_at__lt=cutoff) & ~closed
    referred = Q(referred_at__lt=cutoff) & ~Q(answered_at__lt=cutoff) & ~closed
    counts = queryset.aggregate(
        total=Count("pk"),
        coded=Count("pk", filter=_coded_by(cutoff)),
        closed=Count("pk", filter=closed),
        answered=Count("pk", filter=answered),
        referred=Count("pk", filter=referred),
    )
    by_kind = _counts(queryset.filter(_coded_by(cutoff)), "kind")
    delays = queryset.filter(answered_at__lt=cutoff).values_list("received_at", "answered_at")
    hours = sorted(round((a - r).total_seconds() / 3600, 1) for r, a in delays)
    by_status = {
        Status.OPEN: counts["total"] - counts["closed"] - counts["answered"] - counts["referred"],
        Status.ANSWERED: counts["answered"],
        Status.REFERRED: counts["referred"],
        Status.CLOSED: counts["closed"],
    }
    return FeedbackSummary(
        start=start,
        end=end,
        total=counts["total"],
        by_kind={code: by_kind.get(code, 0) for code in Feedback.Kind.values},
        by_status={code: n for code, n in by_status.items() if n},
        by_channel=_counts(queryset, "channel"),
        uncoded=counts["total"] - counts["coded"],
        answered=len(hours),
        answered_within_target=sum(1 for h in hours if h <= ANSWER_TARGET_H),
        median_hours_to_answer=round(median(hours), 1) if hours else None,
        target_hours=ANSWER_TARGET_H,
        hours=hours,
    )


def feedback_weekly(*, scope: Scope, start: dt.date, end: dt.date, kind: str = "") -> list[dict]:
    """Entries per ISO week (its Monday) and topic as coded by the end of `end` ("" for not
    coded yet), oldest first; `kind` restricts to one type (coded by then)."""
    cutoff = _cutoff(end)
    queryset = feedback_list(scope=scope, start=start, end=end).order_by()
    if kind:
        queryset = queryset.filter(_coded_by(cutoff), kind=kind)
    rows = (
        queryset.annotate(week=TruncWeek("received_at"), coded_topic=_coded_topic(cutoff))
        .values("week", "coded_topic")
        .annotate(n=Count("pk"))
        .order_by("week", "coded_topic")
    )
    return [
        {
            "week": row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"],
            "topic": row["coded_topic"],
            "n": row["n"],
        }
        for row in rows
    ]


def _region_pcode(path: str) -> str:
    """The adm1 P-code of an area's materialised path ("MLI/ML01/ML0101/" -> "ML01")."""
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) > 1 else parts[0]


def feedback_by_region(*, scope: Scope, start: dt.date, end: dt.date) -> dict[str, int]:
    """Entries per region (adm1 P-code; the country's code for national entries)."""
    counts: dict[str, int] = {}
    queryset = feedback_list(scope=scope, start=start, end=end)
    for path, n in (
        queryset.order_by()
        .values_list("area__path")
        .annotate(n=Count("pk"))
        .values_list("area__path", "n")
    ):
        code = _region_pcode(path)
        counts[code] = counts.get(code, 0) + n
    return dict(sorted(counts.items()))


def feedback_per_region(
    *, scope: Scope, start: dt.date, end: dt.date
) -> list[tuple[str, str, int]]:
    """(P-code, name in the active language, entries) per region, by P-code."""
    counts = feedback_by_region(scope=scope, start=start, end=end)
    names = {a.pcode: a.name for a in AdminArea.objects.filter(pcode__in=list(counts))}
    return [(code, names.get(code, code), n) for code, n in counts.items()]


def top_rumours(
    *, scope: Scope, start: dt.date, end: dt.date, limit: int = 5
) -> list[tuple[str, int]]:
    """Topics of the rumours received from `start` to `end` (coded by the end of `end`), most
    frequent first (ties by topic code), at most `limit`."""
    counts = _counts(
        feedback_list(scope=scope, start=start, end=end, kind=Feedback.Kind.RUMOUR).filter(
            _coded_by(_cutoff(end))
        ),
        "topic",
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def latest_feedback_date(*, scope: Scope) -> dt.date | None:
    latest = feedback_for(scope).order_by().aggregate(m=Max("received_at"))["m"]
    return latest.date() if latest else None


# --- RCCE reach beside the feedback volume ---------------------------------------------------


REACH_PERMISSION = "response.view_indicator"  # who reads the plan's indicators reads the reach


def may_read_reach(user) -> bool:
    """Whether `user` reads the RCCE reach: who reads the plan's indicators."""
    return user is not None and user.has_perm(REACH_PERMISSION)


def reach_organisations(user) -> frozenset[int] | None:
    """The organisations whose 4W rows `user` counts in the reach (None: all), as
    `hbmm.response` decides (a partner: their own)."""
    return response_selectors.reader_organisations(user)


def month_weeks(month: dt.date) -> list[dt.date]:
    """The Mondays of the ISO weeks of a month: the weeks whose Thursday falls in it (each ISO
    week belongs to one month, as in ISO 8601's week-numbering)."""
    first = month.replace(day=1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    weeks = []
    while thursday.month == first.month:
        weeks.append(thursday - dt.timedelta(days=3))
        thursday += dt.timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class ReachMonth:
    """One region in one month: the people reached by awareness sessions (4W, a monthly
    report; None when no row was reported) beside the feedback entries received in each ISO
    week of the month (weeks after `end` left out)."""

    month: dt.date
    region: str  # adm1 P-code (the country's code for national rows)
    region_name: str
    reached: int | None
    weeks: tuple[tuple[dt.date, int], ...]

    @property
    def feedback(self) -> int:
        return sum(n for _monday, n in self.weeks)

    @property
    def per_thousand(self) -> Decimal | None:
        """Feedback entries per 1,000 people reached (one decimal), None without reach."""
        if not self.reached:
            return None
        return (Decimal(self.feedback) * 1000 / self.reached).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def _month_of_week(monday: dt.date) -> dt.date:
    return (monday + dt.timedelta(days=3)).replace(day=1)


def reach_beside_feedback(
    *, scope: Scope, organisations: frozenset[int] | None, start: dt.date, end: dt.date
) -> list[ReachMonth]:
    """Per month of `start` to `end` and region: the people reached by awareness sessions
    (4W) and the feedback received in each ISO week of that month up to `end`, in the
    reader's scope (and, for the 4W rows, the organisations they may see). A region appears
    in a month when it has reach or feedback then. By month, then region."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    weeks = {m: [w for w in month_weeks(m) if w <= end] for m in months}
    all_weeks = [w for m in months for w in weeks[m]]
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    if all_weeks:
        queryset = feedback_list(scope=scope, start=all_weeks[0], end=end).order_by()
        for week, path, n in (
            queryset.annotate(week=TruncWeek("received_at"))
            .values_list("week", "area__path")
            .annotate(n=Count("pk"))
            .values_list("week", "area__path", "n")
        ):
            monday = week.date() if isinstance(week, dt.datetime) else week
            counts[(monday, _region_pcode(path))] += n
    reached: dict[tuple[dt.date, str], int] = defaultdict(int)
    for month, path, people in response_selectors.rcce_session_reach(
        scope=scope, organisations=organisations, start=months[0], end=end
    ):
        reached[(month, _region_pcode(path))] += people
    regions_by_month: dict[dt.date, set[str]] = defaultdict(set)
    for monday, region in counts:
        if _month_of_week(monday) in weeks:
            regions_by_month[_month_of_week(monday)].add(region)
    for month, region in reached:
        regions_by_month[month].add(region)
    codes = {code for regions in regions_by_month.values() for code in regions}
    names = {a.pcode: a.name for a in AdminArea.objects.filter(pcode__in=codes)}
    return [
        ReachMonth(
            month=month,
            region=region,
            region_name=names.get(region, region),
            reached=reached.get((month, region)),
            weeks=tuple((w, counts.get((w, region), 0)) for w in weeks[month]),
        )
        for month in months
        for region in sorted(regions_by_month.get(month, ()))
    ]
