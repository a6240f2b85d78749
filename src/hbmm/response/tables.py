"""The response records as tables (`hbmm.presentation.tables`): the 4W matrix (one row per
activity report, filterable, exportable with HXL hashtags), the funding table of the plan
(requirement, funding, gap and coverage per pillar, as the plan's last page), and the
contributions. Registered from ResponseConfig.ready()."""

import datetime as dt

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import StrIndex, Substr
from django.utils.translation import gettext_lazy as _

from hbmm.places.selectors import name_in_language
from hbmm.presentation.tables import Column, Filter, Table, register_table
from hbmm.response import selectors
from hbmm.response.models import Channel, Contribution, ParticipantRole, Status


def _organisations(q):
    return selectors.reader_organisations(q.reader) if q.reader is not None else frozenset()


def _region_pcode():
    """The P-code of the row's region (adm1): the second part of the area's path
    ("MLI/ML01/ML0101/"), empty for a national row."""
    rest = Substr("area__path", 5)  # after "ISO/"
    return Case(
        When(area__level=0, then=Value("")),
        default=Substr(rest, 1, StrIndex(rest, Value("/")) - 1),
        output_field=CharField(),
    )


def report_rows(q):
    f = dict(q.filters)
    plan = selectors.current_plan()
    if plan is None:
        return []
    return (
        selectors.activity_reports(
            scope=q.scope,
            organisations=_organisations(q),
            plan=plan,
            start=f.get("start"),
            end=f.get("end"),
            pillar=f.get("pillar", ""),
            indicator=f.get("indicator", ""),
            organisation=f.get("organisation", ""),
            status=f.get("status", ""),
        )
        .annotate(
            area_name=name_in_language("area"),
            month=F("period__month"),
            region=_region_pcode(),
        )
        .order_by(
            "-period__month",
            "indicator__activity__pillar__number",
            "indicator__code",
            "area__pcode",
            "pk",
        )
    )


REPORTS = register_table(
    Table(
        key="response.reports",
        title=_("Activity reports (4W)"),
        permission="response.view_activityreport",
        url_name="response:reports",
        description=_(
            "Who did what, where and when, for how many: one row per activity report. A partner "
            "sees only their own organisation's rows."
        ),
        filters=(
            Filter("start", _("From (month)"), "month"),
            Filter("end", _("To (month)"), "month"),
            Filter("pillar", _("Pillar (code)"), "text"),
            Filter("indicator", _("Indicator (code)"), "text"),
            Filter("organisation", _("Organisation (code)"), "text"),
            Filter("status", _("Status"), "choice", tuple(Status.choices)),
        ),
        columns=(
            Column("month", _("Month"), "date", "#date+reported"),
            Column("organisation__code", _("Organisation"), "text", "#org+code"),
            Column("organisation__name", _("Organisation name"), "text", "#org+name"),
            Column("implementing_partner__code", _("Implementing partner"), "text", "#org+impl"),
            Column("indicator__activity__pillar__code", _("Pillar"), "text", "#sector+code"),
            Column("indicator__activity__code", _("Activity"), "text", "#activity+code"),
            Column("indicator__code", _("Indicator"), "text", "#indicator+code"),
            Column("region", _("Region P-code"), "text", "#adm1+code"),
            Column("area__pcode", _("Area P-code"), "text", "#loc+adm+code"),
            Column("area_name", _("Area"), "text", "#loc+adm+name"),
            Column("site__code", _("Site"), "text", "#loc+code"),
            Column("status", _("Status"), "code", "#status", tuple(Status.choices)),
            Column("value", _("Value"), "decimal", "#reached"),
            Column("women", _("Women"), "int", "#reached+f+adults"),
            Column("men", _("Men"), "int", "#reached+m+adults"),
            Column("girls", _("Girls"), "int", "#reached+f+children"),
            Column("boys", _("Boys"), "int", "#reached+m+children"),
            Column("training_topic", _("Training topic"), "text", "#activity+topic"),
            Column(
                "participant_role",
                _("Participants' role"),
                "code",
                "#targeted+role",
                tuple(ParticipantRole.choices),
            ),
            Column("pre_test_score", _("Pre-test score (%)"), "decimal", "#indicator+pretest"),
            Column("post_test_score", _("Post-test score (%)"), "decimal", "#indicator+posttest"),
            Column("channel", _("Channel"), "code", "#channel", tuple(Channel.choices)),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=report_rows,
    )
)


def funding_rows(q):
    plan = selectors.current_plan()
    if plan is None:
        return []
    as_of = q.day
    funding = selectors.plan_funding(plan=plan, as_of=as_of)
    rows: list[tuple] = [
        (
            p.pillar.code,
            p.pillar.name,
            p.requirement,
            p.funded,
            p.gap,
            None if p.coverage is None else round(p.coverage, 1),
        )
        for p in funding.pillars
    ]
    rows.append(("", _("Not earmarked"), None, funding.unearmarked, None, None))
    rows.append(
        (
            "total",
            _("Total"),
            funding.requirement,
            funding.funded,
            funding.gap,
            None if funding.coverage is None else round(funding.coverage, 1),
        )
    )
    return rows


FUNDING = register_table(
    Table(
        key="response.funding",
        title=_("Funding requirement and coverage by pillar"),
        permission="response.view_contribution",
        url_name="response:funding_table",
        description=_(
            "The plan's funding requirement by pillar, the contributions committed or paid "
            "(in the plan's currency), the gap and the coverage."
        ),
        filters=(Filter("as_of", _("As of"), "date"),),
        columns=(
            Column("pillar", _("Pillar (code)"), "text", "#sector+code"),
            Column("name", _("Pillar"), "text", "#sector+name"),
            Column("requirement", _("Requirement"), "decimal", "#value+required"),
            Column("funded", _("Funded"), "decimal", "#value+funding"),
            Column("gap", _("Gap"), "decimal", "#value+gap"),
            Column("coverage", _("Coverage (%)"), "decimal", "#value+funding+pct"),
        ),
        rows=funding_rows,
    )
)


def contribution_rows(q):
    plan = selectors.current_plan()
    if plan is None:
        return []
    f = q.filters
    queryset = selectors.contributions(plan=plan, as_of=f.get("as_of"))
    if f.get("donor"):
        queryset = queryset.filter(donor__code=f["donor"])
    if f.get("pillar"):
        queryset = queryset.filter(pillar__code=f["pillar"])
    if f.get("status"):
        queryset = queryset.filter(status=f["status"])
    return queryset.order_by("-signed_on", "pk")


CONTRIBUTIONS = register_table(
    Table(
        key="response.contributions",
        title=_("Contributions"),
        permission="response.view_contribution",
        url_name="response:contributions",
        description=_("Donors' contributions to the plan, with the exchange rate used."),
        filters=(
            Filter("as_of", _("Signed on or before"), "date"),
            Filter("donor", _("Donor (code)"), "text"),
            Filter("pillar", _("Pillar (code)"), "text"),
            Filter("status", _("Status"), "choice", tuple(Contribution.Status.choices)),
        ),
        columns=(
            Column("signed_on", _("Date signed"), "date", "#date+signed"),
            Column("donor__code", _("Donor"), "text", "#org+funder+code"),
            Column("donor__name", _("Donor name"), "text", "#org+funder+name"),
            Column("pillar__code", _("Earmarked pillar"), "text", "#sector+code"),
            Column("status", _("Status"), "code", "#status", tuple(Contribution.Status.choices)),
            Column("amount", _("Amount"), "decimal", "#value"),
            Column("currency", _("Currency"), "text", "#currency"),
            Column("rate", _("Exchange rate"), "decimal", "#rate"),
            Column("rate_date", _("Rate date"), "date", "#date+rate"),
            Column("amount_plan", _("Amount in the plan's currency"), "decimal", "#value+usd"),
            Column("reference", _("Reference"), "text", "#meta+ref"),
        ),
        rows=contribution_rows,
    )
)


def stranded_assisted_rows(q):
    f = q.filters
    plan = selectors.current_plan()
    if plan is None:
        return []
    start = f.get("start") or plan.start
    end = f.get("end") or min(dt.date.today(), plan.end)
    return selectors.stranded_assisted_sites(scope=q.scope, start=start, end=end)


STRANDED_ASSISTED = register_table(
    Table(
        key="response.stranded_assisted",
        title=_("Stranded migrants assisted, by site"),
        permission="response.view_all_activityreports",
        description=_(
            "Stranded migrants (protection cases linked to a stranded-migrant group count or "
            "registered as stranded) given direct assistance in the period, counted once each, "
            "by the site where they were identified. Counts only: the cases stay behind "
            "protection's record rules."
        ),
        filters=(Filter("start", _("From"), "date"), Filter("end", _("To"), "date")),
        columns=(
            Column("site", _("Site"), "text", "#loc+code"),
            Column("people", _("Stranded migrants assisted"), "int", "#affected+stranded+assisted"),
        ),
        rows=stranded_assisted_rows,
    )
)


def expenditure_rows(q):
    plan = selectors.current_plan()
    if plan is None:
        return []
    f = q.filters
    return selectors.expenditures(
        plan=plan, start=f.get("start"), end=f.get("end"), pillar=f.get("pillar", "")
    ).order_by("-month", "pillar__number", "pk")


EXPENDITURES = register_table(
    Table(
        key="response.expenditures",
        title=_("Expenditure"),
        permission="response.view_expenditure",
        url_name="response:expenditures",
        description=_(
            "The lines of the finance system's export: what was spent on each pillar, by "
            "month, in the plan's currency."
        ),
        filters=(
            Filter("start", _("From (month)"), "month"),
            Filter("end", _("To (month)"), "month"),
            Filter("pillar", _("Pillar (code)"), "text"),
        ),
        columns=(
            Column("month", _("Month"), "date", "#date"),
            Column("pillar__code", _("Pillar"), "text", "#sector+code"),
            Column("amount", _("Amount"), "decimal", "#value+spent"),
            Column("reference", _("Reference"), "text", "#meta+ref"),
            Column("note", _("Note"), "text", "#description"),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=expenditure_rows,
    )
)
