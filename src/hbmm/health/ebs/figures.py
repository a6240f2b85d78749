"""The named figures of community event-based surveillance, each a
`hbmm.presentation.figures.Figure` built from `hbmm.health.ebs.selectors` and `.performance`: the
verification timeliness of the signals of a period, and the share of events meeting each 7-1-7
target and all three."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.health.ebs import performance, selectors
from hbmm.presentation.figures import Drilldown, Figure, format_date


def verified_within_target(
    *, scope: Scope, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Figure:
    """Signals reported from `start` to `end` (duplicates merged) verified within 24 hours of
    their report, out of those verified; pending and overdue as of `now` (by default the end
    of `end`). `parts` holds the signals reported and the whole verification summary."""
    if now is None:
        now = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    signals = selectors.signals_verification(scope=scope, start=start, end=end, now=now)
    verification = signals["verification"]
    return Figure(
        key="ebs.verified_24h",
        label=_("Community signals verified within 24 hours"),
        value=verification["met"] if signals["signals"] else None,
        denominator=verification["assessed"],
        unit=ngettext_lazy("signal", "signals"),
        as_of=end,
        definition=_(
            "Community signals reported from %(start)s to %(end)s (duplicates "
            "merged): those verified within 24 hours of their report, out of those "
            "verified; %(pending)s still waiting within the target, %(overdue)s "
            "overdue at the end of the as-of date."
        )
        % {
            "start": format_date(start),
            "end": format_date(end),
            "pending": verification["pending"],
            "overdue": verification["overdue"],
        },
        parts={"signals": signals["signals"], **verification},
        drilldown=Drilldown("health.signals", {"start": start.isoformat(), "end": end.isoformat()}),
    )


TARGET_LABELS = {
    "detection": gettext_lazy("Detection within 7 days of emergence"),
    "notification": gettext_lazy("Notification within 1 day of detection"),
    "response": gettext_lazy("Early response within 7 days of notification"),
    "all": gettext_lazy("All three targets (7-1-7)"),
}


def events_717(
    *,
    scope: Scope,
    start: dt.date | None,
    end: dt.date | None,
    by: str = "",
    now: dt.datetime | None = None,
) -> list[dict]:
    """Per group (`by`: "week" of notification, "area": region, "": all), the events and one
    Figure per target and for all three: events meeting it out of those that could be judged
    ("3 of 5 events (60%)"); see `performance.events_performance`."""
    rows = performance.events_performance(scope=scope, start=start, end=end, by=by, now=now)
    return [
        {
            "key": row["key"],
            "label": row["label"],
            "events": row["events"],
            "figures": [
                Figure(
                    key=f"ebs.717_{target}",
                    label=TARGET_LABELS[target],
                    value=row[target]["met"],
                    denominator=row[target]["assessed"],
                    unit=ngettext_lazy("event", "events"),
                    as_of=end,
                    definition=_(
                        "Health events whose signal was reported in the period: those meeting "
                        "the target, out of those that can be judged (a target still running "
                        "or without its dates is left out; a clock past its target is missed)."
                    ),
                    parts=dict(row[target]),
                )
                for target in (*performance.TARGETS, performance.ALL)
            ],
        }
        for row in rows
    ]
