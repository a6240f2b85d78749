"""Reads for the 7-1-7 review of health events: an event's early-response checklist, the
targets it met or missed, and the share of events meeting each target and all three, by ISO
week of notification or by region, with the bottleneck categories most often cited.

Each target of an event is met, missed (an open clock already past its target counts as
missed: it can no longer be met), or undetermined (still within its target, or not
assessed for want of a date); shares are over the determined events only, so that "3 of 5
events" says how many events could be judged. "All three" is met when the three are met and
missed as soon as one is missed.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.ebs.models import Bottleneck, HealthEvent, ResponseAction
from hbmm.health.ebs.selectors import MET, MISSED, OVERDUE, events_for, signal_timeliness
from hbmm.periods import on_days
from hbmm.places.models import AdminArea

TARGETS = ("detection", "notification", "response")
ALL = "all"
State = ResponseAction.State


@dataclass(frozen=True)
class ChecklistLine:
    item: str
    label: str
    state: str
    done_at: dt.datetime | None
    note: str

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)


def checklist(event: HealthEvent, actions=None) -> list[ChecklistLine]:
    """The early-response actions of `event` (or `actions`, its recorded ones), every item of
    the list in its order: those not recorded yet are "to do"."""
    if actions is None:
        actions = event.response_actions.all()
    recorded = {a.item: a for a in actions}
    lines = []
    for item in ResponseAction.Item:
        action = recorded.get(item.value)
        lines.append(
            ChecklistLine(
                item=item.value,
                label=str(item.label),
                state=action.state if action else State.TO_DO,
                done_at=action.done_at if action else None,
                note=action.note if action else "",
            )
        )
    return lines


def response_completion(lines: list[ChecklistLine]) -> dt.datetime | None:
    """When the early response was complete: the latest date of the applicable actions once
    each is done (the 7-1-7 rule), else None. Not applicable actions are left out; a list with
    no applicable action is not a response."""
    applicable = [line for line in lines if line.state != State.NOT_APPLICABLE]
    if not applicable or any(line.state != State.DONE for line in applicable):
        return None
    return max(line.done_at for line in applicable if line.done_at)


def _verdict(state: str) -> bool | None:
    if state == MET:
        return True
    if state in (MISSED, OVERDUE):
        return False
    return None


def event_verdicts(event: HealthEvent, *, now: dt.datetime | None = None) -> dict[str, bool | None]:
    """Met (True), missed (False) or undetermined (None), per target and for all three."""
    measures = signal_timeliness(event.signal, now=now)
    verdicts: dict[str, bool | None] = {t: _verdict(measures[t].state) for t in TARGETS}
    values = list(verdicts.values())
    verdicts[ALL] = False if False in values else (True if all(values) else None)
    return verdicts


def missed_without_review(event: HealthEvent, *, now: dt.datetime | None = None) -> list[str]:
    """The targets `event` missed that have no bottleneck review yet."""
    verdicts = event_verdicts(event, now=now)
    reviewed = set(event.bottlenecks.values_list("target", flat=True))
    return [t for t in TARGETS if verdicts[t] is False and t not in reviewed]


def _events(scope, start: dt.date | None, end: dt.date | None) -> QuerySet:
    return on_days(events_for(scope), "signal__reported_at", start, end).order_by(
        "signal__reported_at", "pk"
    )


def _week(moment: dt.datetime) -> tuple[tuple, str]:
    year, week, _day = timezone.localdate(moment).isocalendar()
    return (year, week), f"{year}-W{week:02d}"


def _region(area: AdminArea) -> str:
    """The P-code of the region (level 1) `area` is in, from its path ("MLI/ML01/ML0103/")."""
    parts = area.path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def events_performance(
    *,
    scope,
    start: dt.date | None,
    end: dt.date | None,
    by: str = "",
    now: dt.datetime | None = None,
) -> list[dict]:
    """Events whose signal was reported (notified) from `start` to `end`, in scope: per group
    (`by` "week": ISO week of notification; "area": region; "": one row), the events and, for
    each target and all three, how many met it out of those determined. Rows in key order."""
    now = now or timezone.now()
    events = list(_events(scope, start, end).select_related("signal__area"))
    regions: dict[str, str] = {}
    if by == "area":
        pcodes = {_region(e.signal.area) for e in events}
        regions = {a.pcode: a.name for a in AdminArea.objects.filter(pcode__in=pcodes)}
    rows: dict = {}
    for event in events:
        key: object
        label: str
        if by == "week":
            key, label = _week(event.signal.reported_at)
        elif by == "area":
            key = _region(event.signal.area)
            label = f"{regions.get(key, key)} ({key})"
        else:
            key, label = "", ""
        row = rows.setdefault(
            key,
            {"key": key, "label": label, "events": 0}
            | {t: {"met": 0, "assessed": 0} for t in (*TARGETS, ALL)},
        )
        row["events"] += 1
        for target, verdict in event_verdicts(event, now=now).items():
            if verdict is not None:
                row[target]["assessed"] += 1
                row[target]["met"] += int(verdict)
    return [rows[k] for k in sorted(rows)]


def bottleneck_counts(
    *, scope, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict]:
    """The bottleneck categories cited in the reviews of the period's events (by their
    signal's report), most cited first: category, its label, reviews citing it, and how many
    per target."""
    reviews = restrict_to_scope(Bottleneck.objects.all(), scope)
    reviews = on_days(reviews, "event__signal__reported_at", start, end)
    per_target: dict[str, Counter] = {}
    for category, target, n in (
        reviews.order_by().values_list("category", "target").annotate(n=Count("pk"))
    ):
        per_target.setdefault(category, Counter())[target] += n
    rows = [
        {
            "category": category,
            "label": str(Bottleneck.Category(category).label),
            "count": sum(targets.values()),
            "by_target": {t: targets.get(t, 0) for t in TARGETS},
        }
        for category, targets in per_target.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["label"]))
