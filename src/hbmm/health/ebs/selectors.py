"""Reads for community event-based surveillance, through the caller's scope, and the 7-1-7
timeliness of each signal and over a period.

Targets (7-1-7): detection within 7 days of the emergence (the first case's onset or the first
sign, a date: counted in whole days, emergence day to detection day); notification (the
report) within 1 day of the detection; early response completed within 7 days of the report.
Besides, the board's operational target: verification within 24 hours of the report. A target
that cannot be measured (no emergence or detection given) is "not assessed", never "missed".
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from statistics import median
from typing import cast

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from hbmm.accounts.scope import get_in_scope_or_404, restrict_to_scope
from hbmm.health.ebs.models import FocalPoint, HealthEvent, ResponseAction, Signal
from hbmm.periods import on_days
from hbmm.places.models import AdminArea

Status = Signal.Status
DETECTION_TARGET_H = 7 * 24
NOTIFICATION_TARGET_H = 24
VERIFICATION_TARGET_H = 24
RESPONSE_TARGET_H = 7 * 24

MET, MISSED, PENDING, OVERDUE = "met", "missed", "pending", "overdue"
NOT_ASSESSED, NOT_APPLICABLE = "not_assessed", "not_applicable"


@dataclass(frozen=True)
class Measure:
    state: str
    hours: float | None
    target_hours: int

    @property
    def is_late(self) -> bool:
        return self.state in (MISSED, OVERDUE)

    @property
    def days(self) -> float | None:
        return None if self.hours is None else round(self.hours / 24, 1)


def _round_hours(delay: dt.timedelta) -> float:
    return round(delay.total_seconds() / 3600, 1)


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return _round_hours(end - start)


def _clock_of(taken: dt.timedelta | None, elapsed: dt.timedelta, target: int) -> Measure:
    """A step taken `taken` after its start (None: not yet), `elapsed` since the start."""
    if taken is not None:
        hours = _round_hours(taken)
        return Measure(MET if hours <= target else MISSED, hours, target)
    hours = _round_hours(elapsed)
    return Measure(OVERDUE if hours > target else PENDING, hours, target)


def _clock(start: dt.datetime, end: dt.datetime | None, target: int, now: dt.datetime) -> Measure:
    return _clock_of(None if end is None else end - start, now - start, target)


def _verification(status: str, taken: dt.timedelta | None, elapsed: dt.timedelta) -> Measure:
    """Verification within 24 hours of the report (`taken` after it, None when not verified;
    `elapsed` since the report); not applicable to a discarded or duplicate signal."""
    if status in (Status.DISCARDED, Status.DUPLICATE):
        return Measure(NOT_APPLICABLE, None, VERIFICATION_TARGET_H)
    return _clock_of(taken, elapsed, VERIFICATION_TARGET_H)


def signal_timeliness(signal: Signal, *, now: dt.datetime | None = None) -> dict[str, Measure]:
    """The three 7-1-7 measures of one signal (its event prefetched or loaded)."""
    event = signal.event if signal_has_event(signal) else None
    return _measures(
        emerged_on=signal.emerged_on,
        detected_at=signal.detected_at,
        reported_at=signal.reported_at,
        status=signal.status,
        verified_at=signal.verified_at,
        response_at=event.response_at if event else None,
        now=now or timezone.now(),
    )


def _measures(*, emerged_on, detected_at, reported_at, status, verified_at, response_at, now):
    """The 7-1-7 measures from a signal's dates (`signal_timeliness`; the period's figures
    give them from one flat read, without a model instance per signal)."""
    if emerged_on is None or detected_at is None:
        detection = Measure(NOT_ASSESSED, None, DETECTION_TARGET_H)
    else:
        days = (timezone.localdate(detected_at) - emerged_on).days
        detection = Measure(MET if days <= 7 else MISSED, float(days * 24), DETECTION_TARGET_H)
    if detected_at is None:
        notification = Measure(NOT_ASSESSED, None, NOTIFICATION_TARGET_H)
    else:
        notification = _clock(detected_at, reported_at, NOTIFICATION_TARGET_H, now)
    verification = _verification(
        status, None if verified_at is None else verified_at - reported_at, now - reported_at
    )
    if status == Status.VERIFIED:
        response = _clock(reported_at, response_at, RESPONSE_TARGET_H, now)
    else:
        response = Measure(NOT_APPLICABLE, None, RESPONSE_TARGET_H)
    return {
        "detection": detection,
        "notification": notification,
        "verification": verification,
        "response": response,
    }


def signal_has_event(signal: Signal) -> bool:
    try:
        signal.event  # noqa: B018
    except HealthEvent.DoesNotExist:
        return False
    return True


def signals_for(scope) -> QuerySet:
    return restrict_to_scope(
        Signal.objects.select_related("reporter", "site", "area", "event", "duplicate_of"), scope
    )


def signal_list(
    *,
    scope,
    status: str = "",
    kind: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet:
    queryset = signals_for(scope)
    if status == "open":
        queryset = queryset.filter(status__in=Signal.OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = on_days(queryset, "reported_at", start, end)
    return queryset


def signal_get(*, scope, pk: int) -> Signal:
    return get_in_scope_or_404(
        Signal.objects.select_related(
            "reporter", "site", "area", "event", "duplicate_of", "triaged_by", "verified_by"
        ).prefetch_related(Prefetch("duplicates", queryset=Signal.objects.order_by("reported_at"))),
        scope,
        pk=pk,
    )


def signal_duplicate_candidates(*, scope, signal: Signal, days: int = 7) -> QuerySet:
    """Signals in scope, in the same admin area, reported within `days` of this one: the
    likely originals a triage officer may merge this signal into."""
    window = dt.timedelta(days=days)
    return (
        signals_for(scope)
        .filter(
            area=signal.area,
            reported_at__gte=signal.reported_at - window,
            reported_at__lte=signal.reported_at + window,
            duplicate_of__isnull=True,
        )
        .exclude(pk=signal.pk)
        .exclude(status=Status.DISCARDED)
        .order_by("reported_at")
    )


def focal_points_for(scope) -> QuerySet:
    return restrict_to_scope(FocalPoint.objects.select_related("area", "site"), scope)


def focal_point_list(*, scope, q: str = "", pcode: str = "", active: str = "") -> QuerySet:
    """Focal points in scope, filtered by key or name, by area (its subtree) and by state."""
    queryset = focal_points_for(scope)
    if q:
        queryset = queryset.filter(Q(key__icontains=q) | Q(name__icontains=q))
    if pcode:
        area = AdminArea.objects.filter(pcode=pcode.strip().upper()).first()
        queryset = queryset.filter(area__path__startswith=area.path) if area else queryset.none()
    if active in ("0", "1"):
        queryset = queryset.filter(is_active=active == "1")
    return queryset.order_by("key")


def focal_point_get(*, scope, pk: int) -> FocalPoint:
    return cast(
        FocalPoint,
        get_in_scope_or_404(FocalPoint.objects.select_related("area", "site"), scope, pk=pk),
    )


def area_in_scope(*, scope, pcode: str) -> AdminArea | None:
    """The admin area `pcode` when it lies in `scope` (a focal point may be placed there)."""
    areas = AdminArea.objects.filter(pcode=pcode.strip().upper())
    return restrict_to_scope(areas, scope).first()


FOCAL_POINTS_CSV = "focal_points.csv"


def focal_points_csv(*, scope) -> bytes:
    """The `focal_points.csv` media file of the signal form: the active focal points of
    `scope`, their key (the value the form stores) and name; never their phone number (the
    file sits on every agent's phone)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label"])
    for key, name in focal_points_for(scope).filter(is_active=True).values_list("key", "name"):
        writer.writerow([key, f"{key} {name}"])
    return out.getvalue().encode("utf-8")


def events_for(scope) -> QuerySet:
    return restrict_to_scope(
        HealthEvent.objects.select_related("signal", "signal__area", "signal__site"), scope
    )


def signals_board(*, scope, now: dt.datetime | None = None) -> dict:
    """Open signals (new or to verify) by age against the 24-hour verification target, at
    `now` (the end of the page's as-of date): signals reported after it are not yet there."""
    now = now or timezone.now()
    buckets = [
        ("0-6", 0, 6),
        ("6-12", 6, 12),
        ("12-24", 12, 24),
        ("24+", 24, None),
    ]
    rows = []
    counts = {label: 0 for label, _a, _b in buckets}
    for signal in (
        signals_for(scope)
        .filter(status__in=Signal.OPEN_STATUSES, reported_at__lte=now)
        .order_by("reported_at")
    ):
        age = _hours(signal.reported_at, now)
        label = (
            next(name for name, low, high in buckets if age >= low and (high is None or age < high))
            if age >= 0
            else "0-6"
        )
        counts[label] += 1
        rows.append(
            {
                "signal": signal,
                "age_hours": age,
                "bucket": label,
                "overdue": age > VERIFICATION_TARGET_H,
                "hours_left": round(VERIFICATION_TARGET_H - age, 1),
            }
        )
    # Each open event with its early-response checklist's progress: actions done, out of those
    # that apply (every item of the list, less those marked not applicable).
    done = Q(response_actions__state=ResponseAction.State.DONE)
    not_applicable = Q(response_actions__state=ResponseAction.State.NOT_APPLICABLE)
    open_events = (
        events_for(scope)
        .filter(status=HealthEvent.Status.OPEN, opened_at__lte=now)
        .annotate(
            actions_done=Count("response_actions", filter=done),
            actions_applicable=Value(len(ResponseAction.Item))
            - Count("response_actions", filter=not_applicable),
        )
        .order_by("opened_at")
    )
    return {
        "rows": rows,
        "buckets": [(label, counts[label]) for label, _a, _b in buckets],
        "overdue": counts["24+"],
        "open": len(rows),
        "events": list(open_events),
        "now": now,
    }


def _summarise(measures: list[Measure]) -> dict:
    counted = [m for m in measures if m.state != NOT_APPLICABLE]
    states = {s: 0 for s in (MET, MISSED, PENDING, OVERDUE, NOT_ASSESSED)}
    for measure in counted:
        states[measure.state] += 1
    done = [m.hours for m in counted if m.state in (MET, MISSED)]
    assessed = states[MET] + states[MISSED]
    return {
        **states,
        "total": len(counted),
        "assessed": assessed,
        "share_met": round(100 * states[MET] / assessed, 1) if assessed else None,
        "median_hours": round(median(done), 1) if done else None,
    }


def _reported(*, scope, start: dt.date | None, end: dt.date | None) -> QuerySet:
    """The signals reported from `start` to `end` (inclusive) in scope, duplicates merged into
    another signal left out (not counted again)."""
    return on_days(signals_for(scope).exclude(status=Status.DUPLICATE), "reported_at", start, end)


def signals_verification(
    *, scope, start: dt.date | None, end: dt.date | None, now: dt.datetime
) -> dict:
    """The signals reported from `start` to `end` (as `signals_timeliness` counts them) and
    their verification within 24 hours as of `now` (`signals_timeliness`' "verification"): one
    read of each signal's status and two delays computed by the database (a week of a regional
    deployment is 2,000 signals: their timestamps, parsed in Python, were most of the time)."""
    rows = (
        _reported(scope=scope, start=start, end=end)
        .order_by()
        .annotate(
            taken=ExpressionWrapper(F("verified_at") - F("reported_at"), DurationField()),
            elapsed=ExpressionWrapper(
                Value(now, DateTimeField()) - F("reported_at"), DurationField()
            ),
        )
        .values_list("status", "taken", "elapsed")
    )
    measures = [_verification(status, taken, elapsed) for status, taken, elapsed in rows]
    return {"signals": len(measures), "verification": _summarise(measures)}


def signals_timeliness(
    *,
    scope,
    start: dt.date | None,
    end: dt.date | None,
    now: dt.datetime | None = None,
) -> dict:
    """7-1-7 figures over the signals reported between start and end (inclusive), in scope.
    Duplicates merged into another signal are not counted again."""
    now = now or timezone.now()
    queryset = _reported(scope=scope, start=start, end=end)
    # One flat read (a week of a regional deployment is 2,000 signals: model instances with
    # their reporter, site, area and event took a second).
    rows = list(
        queryset.order_by().values_list(
            "emerged_on", "detected_at", "reported_at", "status", "verified_at",
            "event__response_at", "event__status", "event__id",
        )
    )  # fmt: skip
    measures = [
        _measures(
            emerged_on=emerged, detected_at=detected, reported_at=reported, status=status,
            verified_at=verified, response_at=response, now=now,
        )
        for emerged, detected, reported, status, verified, response, _e, _i in rows
    ]  # fmt: skip
    statuses = dict(
        queryset.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    events = [event_status for *_r, event_status, event_id in rows if event_id is not None]
    return {
        "signals": len(rows),
        "by_status": {
            code: statuses.get(code, 0) for code in Status.values if code != Status.DUPLICATE
        },
        "detection": _summarise([m["detection"] for m in measures]),
        "notification": _summarise([m["notification"] for m in measures]),
        "verification": _summarise([m["verification"] for m in measures]),
        "response": _summarise([m["response"] for m in measures]),
        "events": len(events),
        "events_open": sum(1 for status in events if status == HealthEvent.Status.OPEN),
        "targets_hours": {
            "detection": DETECTION_TARGET_H,
            "notification": NOTIFICATION_TARGET_H,
            "verification": VERIFICATION_TARGET_H,
            "response": RESPONSE_TARGET_H,
        },
        "start": start,
        "end": end,
        "as_of": now,
    }
