"""COVID-19 situation: the headline box of the report (confirmed, recovered, deaths), new cases,
the 7-day average and the epidemic curve, from the epidemiological figures
(`hbmm.health.epi.figures`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hbmm.health.epi import figures as epi
from hbmm.health.epi.charts import epidemic_curve
from hbmm.health.epi.selectors import epi_series, epi_series_area, latest_report_date
from hbmm.presentation.figures import format_date
from hbmm.reports.registry import Context, Section, SectionResult, register

PERMISSION = "health.view_epivalue"


def build(ctx: Context) -> SectionResult:
    area = epi_series_area(scope=ctx.scope, area=ctx.area)
    situation = epi.situation(scope=ctx.scope, as_of=ctx.as_of, area=area)
    if not situation.has_data:
        return SectionResult.empty(
            _("No epidemiological figures have been reported on or before %(date)s.")
            % {"date": format_date(ctx.as_of)}
        )
    sentences = []
    if situation.corrections:
        n = len(situation.corrections)
        sentences.append(
            ngettext(
                "%(n)s decrease of a cumulative value was reported as a correction up to this "
                "date; values are shown as reported.",
                "%(n)s decreases of a cumulative value were reported as corrections up to this "
                "date; values are shown as reported.",
                n,
            )
            % {"n": n}
        )
    series = epi_series(scope=ctx.scope, area=area, source=situation.source, end=ctx.as_of)
    return SectionResult(
        figures=situation.headline,
        sentences=sentences,
        charts=[epidemic_curve(series)],
        latest=situation.confirmed.as_of,
    )


register(
    Section(
        key="covid",
        title=gettext_lazy("COVID-19 situation in Mali"),
        build=build,
        order=10,
        permission=PERMISSION,
        role="headline",
        latest=lambda scope: latest_report_date(scope=scope),
    )
)
