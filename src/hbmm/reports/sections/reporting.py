"""Who has not reported: for each reporting schedule, the sites that reported every period of
the last complete ISO week on or before the date (`hbmm.reports.reporting.figures`). On the
overview only (the report's figures say how many points each average counts)."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import hbmm.reports.reporting.tables  # noqa: F401  (registers the table)
from hbmm.reports.registry import Context, Section, SectionResult, register
from hbmm.reports.reporting.completeness import last_week_on
from hbmm.reports.reporting.figures import reporting_week


def build(ctx: Context) -> SectionResult:
    figures = reporting_week(
        scope=ctx.scope, monday=last_week_on(ctx.as_of), today=ctx.as_of + dt.timedelta(days=1)
    )
    if not figures:
        return SectionResult.empty(_("No site in this scope is expected to report."))
    return SectionResult(figures=figures, sentences=[f.note for f in figures])


register(
    Section(
        key="reporting",
        title=gettext_lazy("Who has not reported"),
        build=build,
        order=95,
        role="annex",
        in_report=False,
    )
)
