"""Points of entry: the rapid assessment's key findings as sentences, every checklist item as
"n of N (p %)" in the latest complete week with its change on the week before, the capacity-gap
chart, and a map of the points coloured by their operational status on the as-of date."""

from datetime import date, timedelta

import altair as alt
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.poe.selectors import (
    CAPACITY_ITEM_FIELDS,
    ITEM_LABELS,
    PLAN_FIGURES,
    POE_TYPES,
    capacity_assessments,
    capacity_figures,
    capacity_latest,
    capacity_weeks,
    item_figure,
    poe_status_as_of,
)
from hbmm.reports.charts import PALETTE, ROWS, chart_spec
from hbmm.reports.figures import Drilldown, Figure, format_date, format_number
from hbmm.reports.registry import Chart, Context, MapPoint, Section, SectionResult, register

PERMISSION = "health.view_capacityassessment"
STATUS_PERMISSION = "health.view_poestatus"

STATUS_COLORS = {
    "fully_operational": "#067647",
    "partially_operational": "#e07b00",
    "fully_closed": "#b42318",
    "unknown": "#8a97a8",
}


def _sentence_templates() -> dict:
    """The plan's key findings, one gettext template per (item, point types)."""
    return {
        ("surveillance_system", ("bcp", "itp")): _(
            "%(percent)s of the border and transit points evaluated (%(n)s of %(total)s) do not "
            "have a sanitary surveillance system on site."
        ),
        ("traveller_awareness", ("bcp", "itp")): _(
            "%(percent)s of the border and transit points assessed (%(n)s of %(total)s) do not "
            "have an awareness system in place for travellers (posters, flyers, awareness "
            "volunteer)."
        ),
        ("community_awareness", ("cordon",)): _(
            "%(percent)s of the communal points assessed (%(n)s of %(total)s sanitary cordons) "
            "do not have community awareness mechanisms (posters, flyers, community awareness "
            "agents)."
        ),
        ("isolation_space", tuple(POE_TYPES)): _(
            "%(percent)s of the points evaluated (%(n)s of %(total)s) do not have a dedicated "
            "space to isolate suspect cases."
        ),
    }


def latest(scope) -> date | None:
    return capacity_assessments(scope=scope).aggregate(day=Max("assessed_on"))["day"]


def _rounds(scope, as_of: date):
    """(baseline week, latest complete week) on or before as_of; each (start, end) or None.

    The baseline is the first ISO week with assessments (the rapid assessment); its end is cut
    at as_of. The latest week is the last ISO week that ended on or before as_of.
    """
    weeks = [w for w in capacity_weeks(scope=scope) if w[0] <= as_of]
    if not weeks:
        return None, None
    baseline = (weeks[0][0], min(weeks[0][1], as_of))
    complete = [w for w in weeks if w[1] <= as_of]
    return baseline, (complete[-1] if complete else None)


def _capacity_drill(item: str, kinds, start: date, end: date) -> Drilldown:
    return Drilldown(
        "health.capacity",
        {
            "item": item,
            "kinds": ",".join(kinds),
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )


def build(ctx: Context) -> SectionResult:
    baseline, week = _rounds(ctx.scope, ctx.as_of)
    show_status = ctx.user.has_perm(STATUS_PERMISSION)
    statuses = poe_status_as_of(scope=ctx.scope, day=ctx.as_of) if show_status else []
    if baseline is None and not any(r.status for r in statuses):
        return SectionResult.empty(
            _("No point of entry has been assessed on or before %(date)s.")
            % {"date": format_date(ctx.as_of)}
        )
    figures, sentences, charts = [], [], []
    if baseline is not None:
        first = capacity_figures(scope=ctx.scope, round_start=baseline[0], round_end=baseline[1])
        days = sorted(a.assessed_on for a in first.assessments)
        by_type = first.points_by_type
        sentences.append(
            _(
                "Between %(start)s and %(end)s, %(n)s points were assessed: %(bcp)s border "
                "crossing points, %(itp)s internal transit points and %(cordon)s sanitary "
                "cordons. Key findings:"
            )
            % {
                "start": format_date(days[0]),
                "end": format_date(days[-1]),
                "n": format_number(len(first.assessments)),
                "bcp": format_number(by_type.get("bcp", 0)),
                "itp": format_number(by_type.get("itp", 0)),
                "cordon": format_number(by_type.get("cordon", 0)),
            }
        )
        templates = _sentence_templates()
        for item, kinds, statement in PLAN_FIGURES:
            f = item_figure(first.assessments, item, kinds=kinds)
            figure = Figure(
                key=f"poe.baseline.{item}",
                label=_("Without %(item)s (rapid assessment)") % {"item": f.label},
                value=f.share.n,
                denominator=f.share.total,
                unit=_("points"),
                as_of=baseline[1],
                definition=_(
                    "%(kinds)s assessed between %(start)s and %(end)s (latest assessment of each "
                    "point): %(n)s answered “no” out of %(total)s that answered yes or no; "
                    "%(na)s not assessed for this item, left out."
                )
                % {
                    "kinds": f.kinds_label,
                    "start": format_date(baseline[0]),
                    "end": format_date(baseline[1]),
                    "n": f.share.n,
                    "total": f.share.total,
                    "na": f.share.not_assessed,
                },
                drilldown=_capacity_drill(item, kinds, *baseline),
            )
            figures.append(figure)
            if not f.share.total:
                continue
            template = templates.get((item, tuple(kinds)))
            values = {
                "percent": figure.formatted_percent,
                "n": format_number(f.share.n),
                "total": format_number(f.share.total),
            }
            sentences.append(
                template % values if template else f"{figure.formatted_percent} {statement}."
            )
        current = (
            capacity_latest(scope=ctx.scope, round_start=week[0], round_end=week[1])
            if week and week != (baseline[0], baseline[1]) and week[0] != baseline[0]
            else None
        )
        chart_rows = [
            {"item": str(ITEM_LABELS[i]), "round": _("Rapid assessment"), **_pct(first.items[n])}
            for n, i in enumerate(CAPACITY_ITEM_FIELDS)
        ]
        if current:
            previous = capacity_latest(
                scope=ctx.scope,
                round_start=week[0] - timedelta(days=7),
                round_end=week[1] - timedelta(days=7),
            )
            week_label = _("Week of %(date)s") % {"date": format_date(week[0])}
            improved = worsened = 0
            for item in CAPACITY_ITEM_FIELDS:
                now = item_figure(current, item)
                before = item_figure(previous, item) if previous else None
                note = ""
                if (
                    before is not None
                    and now.share.pct is not None
                    and before.share.pct is not None
                ):
                    change = now.share.pct - before.share.pct
                    improved += change < 0
                    worsened += change > 0
                    note = (
                        _("%(change)s percentage points on the week before")
                        % {"change": ("+" if change > 0 else "") + format_number(change)}
                        if change
                        else _("unchanged on the week before")
                    )
                figures.append(
                    Figure(
                        key=f"poe.week.{item}",
                        label=_("Without %(item)s") % {"item": now.label},
                        value=now.share.n,
                        denominator=now.share.total,
                        unit=_("points"),
                        as_of=week[1],
                        note=note,
                        definition=_(
                            "Points of entry (all types) in their latest assessment of the week "
                            "%(start)s – %(end)s: points that answered “no” out of those that "
                            "answered yes or no (%(na)s not assessed, left out). The change is in "
                            "percentage points against the week before."
                        )
                        % {
                            "start": format_date(week[0]),
                            "end": format_date(week[1]),
                            "na": now.share.not_assessed,
                        },
                        drilldown=_capacity_drill(item, POE_TYPES, *week),
                    )
                )
                chart_rows.append({"item": now.label, "round": week_label, **_pct(now)})
            sentences.append(
                _(
                    "In the week of %(date)s, %(n)s points were assessed; against the week "
                    "before, %(better)s checklist items improved and %(worse)s worsened."
                )
                % {
                    "date": format_date(week[0]),
                    "n": format_number(len(current)),
                    "better": improved,
                    "worse": worsened,
                }
            )
        charts.append(capacity_chart(chart_rows))
    map_points = []
    if statuses:
        counts = {code: 0 for code in STATUS_COLORS}
        for row in statuses:
            counts[row.status_code] += 1
        total = len(statuses)
        labels = _status_labels()
        for code, n in counts.items():
            figures.append(
                Figure(
                    key=f"poe.status.{code}",
                    label=labels[code],
                    value=n,
                    denominator=total,
                    unit=_("points"),
                    as_of=ctx.as_of,
                    definition=_(
                        "Points of entry (border crossing points, internal transit points, "
                        "sanitary cordons) active on the as-of date, by the operational status "
                        "in force on that date (latest status effective on or before it; none "
                        "recorded: unknown)."
                    ),
                    drilldown=Drilldown(
                        "health.status", {"as_of": ctx.as_of.isoformat(), "status": code}
                    ),
                )
            )
        sentences.append(
            _(
                "On %(date)s, of %(total)s points of entry, %(open)s were fully operational, "
                "%(partial)s partially operational, %(closed)s fully closed and %(unknown)s of "
                "unknown status."
            )
            % {
                "date": format_date(ctx.as_of),
                "total": format_number(total),
                "open": format_number(counts["fully_operational"]),
                "partial": format_number(counts["partially_operational"]),
                "closed": format_number(counts["fully_closed"]),
                "unknown": format_number(counts["unknown"]),
            }
        )
        for row in statuses:
            site = row.site
            map_points.append(
                MapPoint(
                    code=site.code,
                    name=site.name,
                    latitude=site.latitude,
                    longitude=site.longitude,
                    status=row.status_code,
                    status_label=labels[row.status_code],
                    color=STATUS_COLORS[row.status_code],
                    url=Drilldown(
                        "health.status", {"as_of": ctx.as_of.isoformat(), "site": site.code}
                    ).url(),
                )
            )
    return SectionResult(
        figures=figures,
        sentences=sentences,
        charts=charts,
        map_points=map_points,
        map_title=_("Points of entry by operational status on %(date)s")
        % {"date": format_date(ctx.as_of)},
    )


def _pct(f) -> dict:
    return {
        "percent": float(f.share.pct) if f.share.pct is not None else None,
        "label": f"{f.share.n}/{f.share.total}",
    }


def _status_labels() -> dict:
    return {
        "fully_operational": _("Fully operational"),
        "partially_operational": _("Partially operational"),
        "fully_closed": _("Fully closed"),
        "unknown": _("Status unknown"),
    }


def capacity_chart(rows: list[dict]) -> Chart:
    """Share of points without each checklist item, rapid assessment against the latest week."""
    chart = (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            y=alt.Y("item:N", title=None, sort=None, axis=alt.Axis(labelLimit=300)),
            yOffset=alt.YOffset("round:N", sort=None),
            x=alt.X(
                "percent:Q", title=_("% of points without it"), scale=alt.Scale(domain=[0, 100])
            ),
            color=alt.Color(
                "round:N",
                title=None,
                sort=None,
                scale=alt.Scale(range=[PALETTE[1], PALETTE[0]]),
            ),
            tooltip=[
                alt.Tooltip("item:N", title=_("Item")),
                alt.Tooltip("round:N", title=_("Round")),
                alt.Tooltip("label:N", title=_("Points without / answered")),
                alt.Tooltip("percent:Q", title="%", format=".0f"),
            ],
        )
    )
    return Chart(
        key="poe.capacity",
        title=_("Capacity gaps at points of entry"),
        spec=chart_spec(chart, rows=rows, height=260),
        wide=True,
    )


register(
    Section(
        key="poe",
        title=gettext_lazy("Points of entry"),
        build=build,
        order=30,
        permission=PERMISSION,
        latest=latest,
    )
)
