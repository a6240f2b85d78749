"""Response and Funding: what was done against the plan (each indicator against its target,
reported by partners in 4W rows or computed from HBMM's records) and the plan's funding
(requirement, funded, gap per pillar: the plan's table), from `hbmm.response.figures`."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hbmm.presentation.figures import format_date, format_number, format_percent
from hbmm.reports.registry import Context, Section, SectionResult, register
from hbmm.response import selectors
from hbmm.response.charts import funding_chart, progress_chart
from hbmm.response.figures import funding_figures, indicator_figures

PERMISSION = "response.view_indicator"
FUNDING_PERMISSION = "response.view_contribution"


def _no_plan(ctx: Context) -> SectionResult:
    return SectionResult.empty(
        _("No response plan was running on %(date)s.") % {"date": format_date(ctx.as_of)}
    )


def build_response(ctx: Context) -> SectionResult:
    plan = selectors.current_plan(on=ctx.as_of)
    if plan is None:
        return _no_plan(ctx)
    organisations = selectors.reader_organisations(ctx.user)
    figures = indicator_figures(
        plan=plan, scope=ctx.scope, organisations=organisations, as_of=ctx.as_of
    )
    reach = selectors.pillar_reach(
        plan=plan, scope=ctx.scope, organisations=organisations, as_of=ctx.as_of
    )
    rows = sum(r["n"] for r in reach.values())
    with_data = [f for f in figures if f.has_data]
    if rows:
        partners = selectors.activity_reports(
            scope=ctx.scope, organisations=organisations, plan=plan, end=ctx.as_of
        ).filter(status="completed")
        summary = ngettext(
            "%(rows)s completed activity report (4W) up to %(date)s, from %(partners)s "
            "organisation(s) in %(areas)s area(s).",
            "%(rows)s completed activity reports (4W) up to %(date)s, from %(partners)s "
            "organisation(s) in %(areas)s area(s).",
            rows,
        ) % {
            "rows": format_number(rows),
            "date": format_date(ctx.as_of),
            "partners": format_number(partners.values("organisation_id").distinct().count()),
            "areas": format_number(partners.values("area_id").distinct().count()),
        }
    else:
        summary = _("No activity report (4W) was completed up to %(date)s.") % {
            "date": format_date(ctx.as_of)
        }
    sentences = [summary]
    for f in with_data:
        sentences.append(
            _("%(indicator)s: %(value)s (%(source)s).")
            % {"indicator": f.label, "value": f.display, "source": f.note}
        )
    charts = [progress_chart(with_data)] if any(f.denominator for f in with_data) else []
    return SectionResult(figures=with_data, sentences=sentences[:1], charts=charts)


def build_funding(ctx: Context) -> SectionResult:
    plan = selectors.current_plan(on=ctx.as_of)
    if plan is None:
        return _no_plan(ctx)
    funding = funding_figures(plan=plan, as_of=ctx.as_of)
    total = funding.funding
    sentences = []
    sentences.append(
        _("By pillar, funded of required (%(currency)s): %(pillars)s.")
        % {
            "currency": plan.currency,
            "pillars": _("; ").join(  # French: a no-break space before the semicolon
                _("%(pillar)s %(funded)s of %(required)s (%(share)s)")
                % {
                    "pillar": p.pillar.name,
                    "funded": format_number(p.funded),
                    "required": format_number(p.requirement),
                    "share": format_percent(p.coverage),
                }
                for p in total.pillars
            ),
        }
    )
    if total.unearmarked:
        sentences.append(
            _("Not earmarked to a pillar: %(amount)s %(currency)s.")
            % {"amount": format_number(total.unearmarked), "currency": plan.currency}
        )
    return SectionResult(
        figures=[funding.requirement, funding.funded, funding.gap],
        sentences=sentences,
        charts=[funding_chart(total)],
    )


register(
    Section(
        key="response",
        title=gettext_lazy("Response"),
        build=build_response,
        order=70,
        permission=PERMISSION,
        role="annex",  # after the plan's first page (body) and its graphics
        report_graphics=False,  # the report keeps its pages: the charts are on the page only
    )
)
register(
    Section(
        key="funding",
        title=gettext_lazy("Funding"),
        build=build_funding,
        order=80,
        permission=FUNDING_PERMISSION,
        role="annex",
        report_graphics=False,
    )
)
