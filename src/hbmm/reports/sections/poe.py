"""Points of entry: the rapid assessment's key findings as sentences, every checklist item as
"n of N (p %)" in the latest complete week with its change on the week before, the capacity-gap
chart, and a map of the points coloured by their operational status on the as-of date, from the
point-of-entry figures (`hbmm.health.poe.figures`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hbmm.health.poe import figures as poe
from hbmm.health.poe.charts import capacity_gap_chart
from hbmm.health.poe.selectors import POE_TYPES, capacity_rounds, latest_assessment_date
from hbmm.presentation.figures import Drilldown, format_date, format_number, plural_count
from hbmm.reports.registry import Context, MapPoint, Section, SectionResult, register

PERMISSION = "health.view_capacityassessment"
STATUS_PERMISSION = "health.view_poestatus"

STATUS_COLORS = {
    "fully_operational": "#067647",
    "partially_operational": "#e07b00",
    "fully_closed": "#b42318",
    "unknown": "#8a97a8",
}


def _points_assessed(n: int) -> str:
    return ngettext("%(n)s point was assessed", "%(n)s points were assessed", plural_count(n)) % {
        "n": format_number(n)
    }


def _sentence_templates(total: int) -> dict:
    """The plan's key findings, one gettext template per (item, point types), agreeing with
    the `total` of points that answered."""
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
        ("community_awareness", ("cordon",)): ngettext(
            "%(percent)s of the communal points assessed (%(n)s of %(total)s sanitary cordon) "
            "do not have community awareness mechanisms (posters, flyers, community awareness "
            "agents).",
            "%(percent)s of the communal points assessed (%(n)s of %(total)s sanitary cordons) "
            "do not have community awareness mechanisms (posters, flyers, community awareness "
            "agents).",
            total,
        ),
        ("isolation_space", tuple(POE_TYPES)): _(
            "%(percent)s of the points evaluated (%(n)s of %(total)s) do not have a dedicated "
            "space to isolate suspect cases."
        ),
    }


def _key_findings(rapid: poe.RoundFigures) -> list[str]:
    data = rapid.data
    days = sorted(a.assessed_on for a in data.assessments)
    by_type = data.points_by_type
    bcp, itp, cordon = (by_type.get(kind, 0) for kind in ("bcp", "itp", "cordon"))
    sentences = [
        _(
            "Between %(start)s and %(end)s, %(assessed)s: %(bcp)s, %(itp)s and %(cordon)s. Key findings:"
        )
        % {
            "start": format_date(days[0]),
            "end": format_date(days[-1]),
            "assessed": _points_assessed(len(data.assessments)),
            "bcp": ngettext(
                "%(n)s border crossing point", "%(n)s border crossing points", plural_count(bcp)
            )
            % {"n": format_number(bcp)},
            "itp": ngettext(
                "%(n)s internal transit point", "%(n)s internal transit points", plural_count(itp)
            )
            % {"n": format_number(itp)},
            "cordon": ngettext(
                "%(n)s sanitary cordon", "%(n)s sanitary cordons", plural_count(cordon)
            )
            % {"n": format_number(cordon)},
        }
    ]
    for figure in rapid.plan:
        if not figure.denominator:
            continue
        templates = _sentence_templates(plural_count(figure.denominator))
        template = templates.get((figure.parts["item"], figure.parts["kinds"]))
        values = {
            "percent": figure.formatted_percent,
            "n": format_number(figure.value),
            "total": format_number(figure.denominator),
        }
        sentences.append(
            template % values
            if template
            else f"{figure.formatted_percent} {figure.parts['statement']}."
        )
    return sentences


def _status_map(status: poe.StatusFigures, ctx: Context) -> list[MapPoint]:
    labels = poe.status_labels()
    return [
        MapPoint(
            code=row.site.code,
            name=row.site.name,
            latitude=row.site.latitude,
            longitude=row.site.longitude,
            status=row.status_code,
            status_label=labels[row.status_code],
            color=STATUS_COLORS[row.status_code],
            url=Drilldown(
                "health.status", {"as_of": ctx.as_of.isoformat(), "site": row.site.code}
            ).url(),
        )
        for row in status.rows
    ]


def build(ctx: Context) -> SectionResult:
    baseline, week = capacity_rounds(scope=ctx.scope, as_of=ctx.as_of)
    status = None
    if ctx.user.has_perm(STATUS_PERMISSION):
        status = poe.status_figures(scope=ctx.scope, as_of=ctx.as_of)
    if baseline is None and not (status and any(r.status for r in status.rows)):
        return SectionResult.empty(
            _("No point of entry has been assessed on or before %(date)s.")
            % {"date": format_date(ctx.as_of)}
        )
    figures, sentences, charts = [], [], []
    if baseline is not None:
        rapid = poe.round_figures(
            scope=ctx.scope, start=baseline[0], end=baseline[1], rapid_assessment=True
        )
        figures += rapid.plan
        sentences += _key_findings(rapid)
        rounds = [(_("Rapid assessment"), rapid.data.items)]
        if week and week[0] != baseline[0]:
            latest = poe.week_figures(scope=ctx.scope, start=week[0], end=week[1])
            if latest.assessed:
                figures += latest.figures
                rounds.append(
                    (_("Week of %(date)s") % {"date": format_date(week[0])}, latest.items)
                )
                sentences.append(
                    _(
                        "In the week of %(date)s, %(assessed)s; against the week before, "
                        "%(better)s and %(worse)s."
                    )
                    % {
                        "date": format_date(week[0]),
                        "assessed": _points_assessed(latest.assessed),
                        "better": ngettext(
                            "%(n)s checklist item improved",
                            "%(n)s checklist items improved",
                            plural_count(latest.improved),
                        )
                        % {"n": format_number(latest.improved)},
                        "worse": ngettext(
                            "%(n)s worsened", "%(n)s worsened", plural_count(latest.worsened)
                        )
                        % {"n": format_number(latest.worsened)},
                    }
                )
        charts.append(capacity_gap_chart(rounds))
    map_points = []
    if status and status.rows:
        figures += status.figures
        counts = status.counts
        sentences.append(
            _("On %(date)s, %(total)s, %(open)s, %(partial)s, %(closed)s and %(unknown)s.")
            % {
                "date": format_date(ctx.as_of),
                "total": ngettext(
                    "of %(n)s point of entry",
                    "of %(n)s points of entry",
                    plural_count(status.total),
                )
                % {"n": format_number(status.total)},
                "open": ngettext(
                    "%(n)s was fully operational",
                    "%(n)s were fully operational",
                    plural_count(counts["fully_operational"]),
                )
                % {"n": format_number(counts["fully_operational"])},
                "partial": ngettext(
                    "%(n)s partially operational",
                    "%(n)s partially operational",
                    plural_count(counts["partially_operational"]),
                )
                % {"n": format_number(counts["partially_operational"])},
                "closed": ngettext(
                    "%(n)s fully closed", "%(n)s fully closed", plural_count(counts["fully_closed"])
                )
                % {"n": format_number(counts["fully_closed"])},
                "unknown": _("%(n)s of unknown status") % {"n": format_number(counts["unknown"])},
            }
        )
        map_points = _status_map(status, ctx)
    return SectionResult(
        figures=figures,
        sentences=sentences,
        charts=charts,
        map_points=map_points,
        map_title=_("Points of entry by operational status on %(date)s")
        % {"date": format_date(ctx.as_of)},
    )


register(
    Section(
        key="poe",
        title=gettext_lazy("Points of entry"),
        build=build,
        order=30,
        permission=PERMISSION,
        latest=lambda scope: latest_assessment_date(scope=scope),
    )
)
