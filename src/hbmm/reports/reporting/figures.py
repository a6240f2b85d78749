"""The reporting-completeness figures: for each schedule, the sites that reported every
period of an ISO week ("182 of 200 points reported every day of week 19"), drilling down to
the table of each site's expected, received and on-time reports."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.presentation.figures import Drilldown, Figure, format_date
from hbmm.reports.reporting.completeness import Schedule, schedules, site_counts


def reporting_sentence(schedule: Schedule, *, complete: int, expected: int, week: int) -> str:
    """ "182 of 200 points reported every day of week 19" (its plural agrees with the total)."""
    values = {"n": complete, "total": expected, "week": week}
    if schedule.frequency == "daily":
        return (
            ngettext(
                "%(n)s of %(total)s point reported every day of week %(week)s",
                "%(n)s of %(total)s points reported every day of week %(week)s",
                expected,
            )
            % values
        )
    return (
        ngettext(
            "%(n)s of %(total)s point reported in week %(week)s",
            "%(n)s of %(total)s points reported in week %(week)s",
            expected,
        )
        % values
    )


def reporting_week(*, scope: Scope, monday: dt.date, today: dt.date) -> list[Figure]:
    """One Figure per schedule with sites expected in the ISO week starting `monday`: the
    sites that reported every period of it, out of the sites expected; its note says how many
    reported at least once and how many reports came late."""
    sunday = monday + dt.timedelta(days=6)
    week = monday.isocalendar()[1]
    figures = []
    for schedule in schedules():
        sites = site_counts(scope=scope, schedule=schedule, start=monday, end=sunday, today=today)
        if not sites:
            continue
        expected = len(sites)
        complete = sum(s.complete for s in sites)
        some = sum(bool(s.received) for s in sites)
        late = sum(s.late for s in sites)
        parts = {
            "sentence": reporting_sentence(
                schedule, complete=complete, expected=expected, week=week
            ),
            "late": ngettext("%(n)s report late", "%(n)s reports late", late) % {"n": late},
            "some": ngettext("%(n)s reported at least once", "%(n)s reported at least once", some)
            % {"n": some},
        }
        if schedule.frequency == "daily":
            note = _("%(sentence)s; %(some)s; %(late)s") % parts
        else:
            note = _("%(sentence)s; %(late)s") % parts
        figures.append(
            Figure(
                key=f"reporting.{schedule.form}",
                label=_("%(form)s: reported every period of week %(week)s")
                % {"form": schedule.label, "week": week},
                value=complete,
                denominator=expected,
                unit=ngettext_lazy("point", "points"),
                as_of=sunday,
                note=note,
                definition=_(
                    "Sites in the selected scope expected to send this form from %(start)s to "
                    "%(end)s (their kind's schedule, active then), and those whose report of "
                    "every period of the week was received. A silent site counts as not "
                    "reported, never as zero."
                )
                % {"start": format_date(monday), "end": format_date(sunday)},
                drilldown=Drilldown(
                    "reports.reporting",
                    {"form": schedule.form, "start": monday.isoformat(), "end": sunday.isoformat()},
                ),
                parts={"received_some": some, "late": late, "week": week},
            )
        )
    return figures
