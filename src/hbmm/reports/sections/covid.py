"""COVID-19 situation: the headline box of the report (confirmed, recovered, deaths), new cases,
the 7-day average and the epidemic curve, from the health app's epidemiological selectors."""

from datetime import date

import altair as alt
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.epi.selectors import epi_figures, epi_regions, epi_series, epi_values
from hbmm.reports.charts import PALETTE, ROWS, chart_spec
from hbmm.reports.figures import Drilldown, Figure, format_date
from hbmm.reports.registry import Chart, Context, Section, SectionResult, register

PERMISSION = "health.view_epivalue"


def _area(ctx: Context):
    """The chosen region when it has its own series, else the country."""
    if ctx.area is not None and ctx.area in epi_regions(scope=ctx.scope):
        return ctx.area
    return None


def latest(scope) -> date | None:
    return epi_values(scope=scope).aggregate(day=Max("day"))["day"]


def build(ctx: Context) -> SectionResult:
    area = _area(ctx)
    figures = epi_figures(scope=ctx.scope, as_of=ctx.as_of, area=area)
    if figures.confirmed.value is None:
        return SectionResult.empty(
            _("No epidemiological figures have been reported on or before %(date)s.")
            % {"date": format_date(ctx.as_of)}
        )
    where = figures.area.name
    source = figures.source_label
    drill = Drilldown("health.epi", {"as_of": ctx.as_of.isoformat()})

    def cumulative(key, label, figure, what):
        return Figure(
            key=f"covid.{key}",
            label=label,
            value=figure.value,
            as_of=figure.reported_on,
            definition=_(
                "%(what)s in %(area)s, cumulative since the start of the epidemic, from the latest "
                "report on or before the as-of date (source: %(source)s)."
            )
            % {"what": what, "area": where, "source": source},
            drilldown=drill,
        )

    result = [
        cumulative("confirmed", _("Cases confirmed"), figures.confirmed, _("Confirmed cases")),
        cumulative("recovered", _("Recovered cases"), figures.recovered, _("Recovered cases")),
        cumulative("deaths", _("Confirmed deaths"), figures.deaths, _("Deaths of confirmed cases")),
    ]
    if figures.new_cases is not None:
        result.append(
            Figure(
                key="covid.new_cases",
                label=_("New cases"),
                value=figures.new_cases,
                as_of=ctx.as_of,
                definition=_(
                    "Confirmed cases on the as-of date minus those of the previous report "
                    "(source: %(source)s)."
                )
                % {"source": source},
                drilldown=drill,
            )
        )
    if figures.average_7d is not None:
        result.append(
            Figure(
                key="covid.average_7d",
                label=_("New cases, 7-day average"),
                value=figures.average_7d,
                decimals=1,
                as_of=ctx.as_of,
                definition=_(
                    "Confirmed cases on the as-of date minus those 7 days before, divided by 7."
                ),
                drilldown=drill,
            )
        )
    if figures.active is not None:
        result.append(
            Figure(
                key="covid.active",
                label=_("Active cases"),
                value=figures.active,
                as_of=figures.confirmed.reported_on,
                definition=_("Confirmed cases minus recovered minus deaths."),
                drilldown=drill,
            )
        )
    sentences = []
    if figures.corrections:
        sentences.append(
            _(
                "%(n)s decrease(s) of a cumulative value were reported as corrections up to "
                "this date; values are shown as reported."
            )
            % {"n": len(figures.corrections)}
        )
    series = epi_series(scope=ctx.scope, area=area, source=figures.source, end=ctx.as_of)
    return SectionResult(
        figures=result,
        sentences=sentences,
        charts=[epidemic_curve(series)],
        latest=figures.confirmed.reported_on,
    )


def epidemic_curve(series) -> Chart:
    """New confirmed cases per day (bars) and their 7-day average (line), from the first case."""
    started = False
    rows = []
    for day in series.days:
        if not started and not (day.confirmed or 0):
            continue
        started = True
        rows.append(
            {
                "day": day.day.isoformat(),
                "new": day.new_cases,
                "avg": float(day.average_7d) if day.average_7d is not None else None,
            }
        )
    new_label, avg_label = _("New cases"), _("7-day average")
    base = alt.Chart(ROWS).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b", labelOverlap=True))
    )
    bars = base.mark_bar(color=PALETTE[0], opacity=0.55).encode(
        y=alt.Y("new:Q", title=_("Cases per day")),
        tooltip=[alt.Tooltip("day:T", title=_("Day")), alt.Tooltip("new:Q", title=new_label)],
    )
    line = base.mark_line(color=PALETTE[3], strokeWidth=2).encode(
        y="avg:Q",
        tooltip=[alt.Tooltip("day:T", title=_("Day")), alt.Tooltip("avg:Q", title=avg_label)],
    )
    return Chart(
        key="covid.curve",
        title=_("Epidemic curve: new confirmed cases per day and 7-day average"),
        spec=chart_spec(alt.layer(bars, line), rows=rows),
    )


register(
    Section(
        key="covid",
        title=gettext_lazy("COVID-19 situation in Mali"),
        build=build,
        order=10,
        permission=PERMISSION,
        role="headline",
        latest=latest,
    )
)
