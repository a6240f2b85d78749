"""Screening and community surveillance: travellers screened at the points of entry in the
7 days up to the as-of date (suspects, isolation, referral, sampling, delays) and the 7-1-7
timeliness of community signals, from the health app's screening and EBS selectors."""

import datetime as dt
from datetime import date, timedelta

import altair as alt
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.ebs.selectors import signals_timeliness
from hbmm.health.screening.selectors import (
    screening_figures,
    screening_summary,
    screenings_for,
)
from hbmm.reports.charts import PALETTE, ROWS, chart_spec
from hbmm.reports.figures import Drilldown, Figure, format_date, format_number, format_percent
from hbmm.reports.registry import Chart, Context, Section, SectionResult, register

PERMISSION = "health.view_screening_figures"
RECORDS_PERMISSION = "health.view_screening"
SIGNAL_PERMISSION = "health.view_signal"
WINDOW_DAYS = 7
CHART_WEEKS = 12


def latest(scope) -> date | None:
    moment = screenings_for(scope).aggregate(at=Max("screened_at"))["at"]
    return moment.date() if moment else None


def _share(n, total) -> str:
    return format_percent(100 * n / total) if total else _("n/a")


def build(ctx: Context) -> SectionResult:
    end = ctx.as_of
    start = end - timedelta(days=WINDOW_DAYS - 1)
    totals = screening_summary(scope=ctx.scope, start=start, end=end)
    if not totals["screened"]:
        return SectionResult.empty(
            _("No traveller was screened from %(start)s to %(end)s.")
            % {"start": format_date(start), "end": format_date(end)}
        )
    period = {"start": format_date(start), "end": format_date(end)}
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    drill = Drilldown("health.screenings", dates)
    suspects = Drilldown("health.screenings", {**dates, "suspect": "1"})
    screened, suspect = totals["screened"], totals["suspect"]
    counted = (
        _(
            "Screenings at the points of entry in the selected scope from %(start)s to %(end)s "
            "(date of screening)."
        )
        % period
    )
    figures = [
        Figure(
            key="screening.screened",
            label=_("Travellers screened, last 7 days"),
            value=screened,
            as_of=end,
            definition=counted,
            drilldown=drill,
        ),
        Figure(
            key="screening.symptoms",
            label=_("With symptoms"),
            value=totals["with_symptoms"],
            denominator=screened,
            unit=_("screened"),
            as_of=end,
            definition=counted + " " + _("Travellers reporting at least one symptom."),
            drilldown=drill,
        ),
        Figure(
            key="screening.suspect",
            label=_("Suspect cases"),
            value=suspect,
            denominator=screened,
            unit=_("screened"),
            as_of=end,
            definition=counted
            + " "
            + _("Travellers classified suspect (case definition, or the agent's override)."),
            drilldown=suspects,
        ),
    ]
    steps = [
        ("isolated", _("Suspects isolated")),
        ("referred", _("Suspects referred")),
        ("sampled", _("Suspects sampled")),
        ("positive", _("Suspects tested positive")),
    ]
    for key, label in steps:
        figures.append(
            Figure(
                key=f"screening.{key}",
                label=label,
                value=totals[key],
                denominator=suspect,
                unit=_("suspects"),
                as_of=end,
                definition=counted
                + " "
                + _("Suspect cases screened in the period that reached this step (at any date)."),
                drilldown=suspects,
            )
        )
    for key, label, count in (
        (
            "median_hours_to_notification",
            _("Median hours, screening to notification"),
            "notified_count",
        ),
        ("median_hours_to_referral", _("Median hours, screening to referral"), "referred_count"),
    ):
        if totals[key] is not None:
            figures.append(
                Figure(
                    key=f"screening.{key}",
                    label=label,
                    value=totals[key],
                    decimals=1,
                    unit=_("hours"),
                    as_of=end,
                    definition=counted
                    + " "
                    + _("Median over the %(n)s suspects that reached the step.")
                    % {"n": totals[count]},
                    drilldown=suspects,
                )
            )
    sentences = [
        _(
            "From %(start)s to %(end)s, %(screened)s travellers were screened at %(points)s "
            "points of entry; %(suspect)s met the suspect case definition (%(share)s), of whom "
            "%(referred)s were referred and %(sampled)s sampled (%(positive)s positive)."
        )
        % {
            **period,
            "screened": format_number(screened),
            "points": format_number(totals["points"]),
            "suspect": format_number(suspect),
            "share": _share(suspect, screened),
            "referred": format_number(totals["referred"]),
            "sampled": format_number(totals["sampled"]),
            "positive": format_number(totals["positive"]),
        }
    ]
    if totals["median_hours_to_notification"] is not None:
        sentences.append(
            _("Median time from screening to notification: %(hours)s hours.")
            % {"hours": format_number(totals["median_hours_to_notification"], decimals=1)}
        )
    if ctx.user.has_perm(SIGNAL_PERMISSION):
        now = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC) + timedelta(days=1)
        signals = signals_timeliness(scope=ctx.scope, start=start, end=end, now=now)
        verification = signals["verification"]
        if signals["signals"]:
            figures.append(
                Figure(
                    key="ebs.verified_24h",
                    label=_("Community signals verified within 24 hours"),
                    value=verification["met"],
                    denominator=verification["assessed"],
                    unit=_("signals"),
                    as_of=end,
                    definition=_(
                        "Community signals reported from %(start)s to %(end)s (duplicates "
                        "merged): those verified within 24 hours of their report, out of those "
                        "verified; %(pending)s still waiting within the target, %(overdue)s "
                        "overdue at the end of the as-of date."
                    )
                    % {
                        **period,
                        "pending": verification["pending"],
                        "overdue": verification["overdue"],
                    },
                )
            )
            sentences.append(
                _(
                    "%(n)s community health signals were reported; %(met)s of the %(assessed)s "
                    "verified were verified within 24 hours, %(overdue)s are overdue."
                )
                % {
                    "n": format_number(signals["signals"]),
                    "met": format_number(verification["met"]),
                    "assessed": format_number(verification["assessed"]),
                    "overdue": format_number(verification["overdue"]),
                }
            )
    return SectionResult(
        figures=figures, sentences=sentences, charts=[weekly_chart(ctx)], latest=end
    )


def weekly_chart(ctx: Context) -> Chart:
    """Travellers screened and suspects per ISO week, the last weeks up to the as-of date."""
    start = ctx.as_of - timedelta(weeks=CHART_WEEKS) + timedelta(days=1)
    rows = screening_figures(scope=ctx.scope, start=start, end=ctx.as_of, by=("week",))
    screened, suspect = _("Screened"), _("Suspect")
    values = [
        {"week": r["week"], "what": label, "n": r[key]}
        for r in rows
        for key, label in (("screened", screened), ("suspect", suspect))
    ]
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            x=alt.X("week:O", title=_("ISO week")),
            xOffset=alt.XOffset("what:N", sort=[screened, suspect]),
            y=alt.Y("n:Q", title=_("Travellers")),
            color=alt.Color(
                "what:N",
                title=None,
                sort=[screened, suspect],
                scale=alt.Scale(domain=[screened, suspect], range=[PALETTE[0], PALETTE[3]]),
            ),
            tooltip=[
                alt.Tooltip("week:O", title=_("ISO week")),
                alt.Tooltip("what:N", title=" "),
                alt.Tooltip("n:Q", title=_("Travellers")),
            ],
        )
    )
    return Chart(
        key="screening.weekly",
        title=_("Travellers screened and suspect cases per week"),
        spec=chart_spec(chart, rows=values),
    )


register(
    Section(
        key="screening",
        title=gettext_lazy("Screening and community surveillance"),
        build=build,
        order=40,
        permission=PERMISSION,
        latest=latest,
        report_graphics=False,  # the report's charts are the plan's three and the map
    )
)
