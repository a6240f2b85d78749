"""Protection and CCCM: protection cases registered (and how many from stranded-migrant
groups), referrals to services, assisted returns, temporary sites with isolation capacity.
Aggregates only (`hbmm.protection.figures`): no record, no name, small cells left out."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.mobility import figures as mobility
from hbmm.mobility.selectors import PLAN_FLOW_START
from hbmm.presentation.figures import format_date, format_number
from hbmm.protection import figures as protection
from hbmm.protection.selectors import latest_case_date
from hbmm.reports.registry import Context, Section, SectionResult, register

PERMISSION = "reports.view_situation"


def build(ctx: Context) -> SectionResult:
    scope, as_of = ctx.scope, ctx.as_of
    cases = protection.protection_cases(scope=scope, as_of=as_of)
    sites = protection.temporary_sites_isolation(scope=scope, as_of=as_of)
    if not cases.has_data and not sites.has_data:
        return SectionResult.empty(
            _("No protection case nor temporary site recorded on or before %(date)s.")
            % {"date": format_date(as_of)}
        )
    figures, sentences = [], []
    if cases.has_data:
        stranded = mobility.stranded_in_period(scope=scope, start=PLAN_FLOW_START, end=as_of)
        figures += [cases.registered, cases.from_stranded]
        if stranded.has_data:
            sentences.append(
                _(
                    "%(stranded)s stranded migrants were counted at the sites from %(start)s; "
                    "%(linked)s of them were then registered and followed as individual "
                    "protection cases, of %(cases)s cases registered by %(date)s."
                )
                % {
                    "stranded": format_number(stranded.value),
                    "start": format_date(PLAN_FLOW_START),
                    "linked": format_number(cases.from_stranded.value),
                    "cases": format_number(cases.registered.value),
                    "date": format_date(as_of),
                }
            )
        else:
            sentences.append(
                _("%(cases)s vulnerable migrants were registered as protection cases by %(date)s.")
                % {"cases": format_number(cases.registered.value), "date": format_date(as_of)}
            )
        figures += [cases.referrals, cases.accepted, cases.completed]
        if cases.referrals.value:
            sentences.append(
                _(
                    "%(made)s referrals to services were made: %(accepted)s accepted and "
                    "%(done)s completed."
                )
                % {
                    "made": format_number(cases.referrals.value),
                    "accepted": format_number(cases.accepted.value),
                    "done": format_number(cases.completed.value),
                }
            )
        if cases.median_days.has_data:
            figures.append(cases.median_days)
        figures.append(cases.returns)
        figures += cases.by_vulnerability
        if cases.by_vulnerability or cases.suppressed:
            sentences.append(
                _(
                    "Vulnerabilities are counted among the cases that consented to use in "
                    "statistics; categories of fewer than %(n)s cases are not shown."
                )
                % {"n": protection.PUBLIC_MIN_CELL}
            )
    if sites.has_data:
        figures.append(sites)
    return SectionResult(figures=figures, sentences=sentences)


register(
    Section(
        key="protection",
        title=gettext_lazy("Protection and camp coordination"),
        build=build,
        order=45,
        permission=PERMISSION,
        latest=lambda scope: latest_case_date(scope=scope),
        public=False,  # issue 13: no protection data in public outputs, even aggregated
    )
)
