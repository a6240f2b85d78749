"""The reporting layer of the "who has not reported" page: each site expected to report in the
period, coloured by its reporting over every form it owes (the form filter narrows them):

- all on time: every expected report received, each before its deadline;
- late: every expected report received, at least one after its deadline;
- partial: some reports received, some missing;
- nothing: no report received.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.accounts.scope import Scope
from hbmm.places.selectors import SitePoint
from hbmm.presentation.figures import format_date
from hbmm.presentation.maps import MapPoint, TableMap
from hbmm.reports.reporting.completeness import SiteCounts, schedules, site_counts

STATUSES = ("on_time", "late", "partial", "none")
COLORS = {"on_time": "#067647", "late": "#2e90fa", "partial": "#e07b00", "none": "#b42318"}


def status_labels() -> dict[str, str]:
    return {
        "on_time": _("All on time"),
        "late": _("All received, some late"),
        "partial": _("Some missing"),
        "none": _("Nothing received"),
    }


@dataclass(frozen=True)
class SiteStatus:
    site: SitePoint
    status: str
    expected: int
    received: int


def site_status(rows: list[SiteCounts]) -> str:
    """The status of one site over its rows (one per form it owes)."""
    expected = sum(r.expected for r in rows)
    received = sum(r.received for r in rows)
    if not received:
        return "none"
    if received < expected:
        return "partial"
    return "on_time" if sum(r.on_time for r in rows) == expected else "late"


def site_statuses(
    *, scope: Scope, start: dt.date, end: dt.date, today: dt.date, form: str = ""
) -> list[SiteStatus]:
    """Each site expected to report from `start` to `end` (periods over before `today`), with
    its status, sorted by site code."""
    by_site: dict[int, list[SiteCounts]] = {}
    for schedule in schedules():
        if form and schedule.form != form:
            continue
        for row in site_counts(scope=scope, schedule=schedule, start=start, end=end, today=today):
            by_site.setdefault(row.site.pk, []).append(row)
    found = [
        SiteStatus(
            site=rows[0].site,
            status=site_status(rows),
            expected=sum(r.expected for r in rows),
            received=sum(r.received for r in rows),
        )
        for rows in by_site.values()
    ]
    return sorted(found, key=lambda s: s.site.code)


def _float(value) -> float | None:
    return float(value) if value is not None else None


def reporting_map(
    *, scope: Scope, start: dt.date, end: dt.date, today: dt.date, form: str = ""
) -> TableMap | None:
    """The map of the sites expected to report, with a sentence of the counts (None: no site
    is expected)."""
    found = site_statuses(scope=scope, start=start, end=end, today=today, form=form)
    if not found:
        return None
    labels = status_labels()
    counts = {status: sum(s.status == status for s in found) for status in STATUSES}
    points = []
    # In the order of the statuses: the legend lists them so, and the worst are drawn last, on
    # top, and get their names first when two sites are close (hbmm.presentation.map_svg).
    for s in sorted(found, key=lambda s: (STATUSES.index(s.status), s.site.code)):
        tip = ngettext(
            "%(name)s (%(received)s of %(expected)s report received)",
            "%(name)s (%(received)s of %(expected)s reports received)",
            s.expected,
        ) % {"name": s.site.name, "received": s.received, "expected": s.expected}
        points.append(
            MapPoint(
                code=s.site.code,
                name=tip,
                label=s.site.name,
                latitude=_float(s.site.latitude),
                longitude=_float(s.site.longitude),
                status=s.status,
                status_label=labels[s.status],
                color=COLORS[s.status],
            )
        )
    summary = ngettext(
        "%(total)s site expected to report from %(start)s to %(end)s: %(on_time)s all on "
        "time, %(late)s late, %(partial)s partial, %(none)s nothing received.",
        "%(total)s sites expected to report from %(start)s to %(end)s: %(on_time)s all on "
        "time, %(late)s late, %(partial)s partial, %(none)s nothing received.",
        len(found),
    ) % {
        "total": len(found),
        "start": format_date(start),
        "end": format_date(end),
        **counts,
    }
    return TableMap(
        title=_("Reporting of the sites expected to report"), points=points, summary=summary
    )
