"""The named figures of community event-based surveillance, each a
`hbmm.presentation.figures.Figure` built from `hbmm.health.ebs.selectors`: the 7-1-7 timeliness of
the signals of a period."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.health.ebs import selectors
from hbmm.presentation.figures import Drilldown, Figure, format_date


def verified_within_target(
    *, scope: Scope, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Figure:
    """Signals reported from `start` to `end` (duplicates merged) verified within 24 hours of
    their report, out of those verified; pending and overdue as of `now` (by default the end
    of `end`). `parts` holds the signals reported and the whole verification summary."""
    if now is None:
        now = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    signals = selectors.signals_timeliness(scope=scope, start=start, end=end, now=now)
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
