"""Protection and CCCM as tables of the registry (`hbmm.presentation.tables`): their drill-down
pages, exports and /api/v1/protection/ endpoints, read through the protection selectors under
the same record rules as the pages (record scope self / team / area / all, referral recipients,
the GBV restriction, broken glass). Rows are pseudonymous: a case key, never a name, a phone, a
document or free text; a GBV case the reader may not open keeps its key, status and place,
not its vulnerabilities and needs. Every read of cases, referrals or assistance is audited;
exporting them needs `protection.export_case`. Registered from ProtectionConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from hbmm.presentation.tables import Column, Filter, Table, register_table
from hbmm.protection import selectors
from hbmm.protection.models import (
    AgeGroup,
    Assistance,
    Case,
    Distancing,
    Need,
    Referral,
    ServiceType,
    Sex,
    Vulnerability,
)

EXPORT = "protection.export_case"


def case_rows(q):
    return selectors.case_table(user=q.reader, scope=q.scope, **q.filters)


def referral_rows(q):
    return selectors.referral_table(user=q.reader, scope=q.scope, area=q.area, **q.filters)


def assistance_rows(q):
    return selectors.assistance_table(user=q.reader, scope=q.scope, **q.filters)


def site_rows(q):
    return selectors.site_monitoring_table(scope=q.scope, **q.filters)


CASES = register_table(
    Table(
        key="protection.cases",
        rows=case_rows,
        title=_("Protection cases (pseudonymous)"),
        permission="protection.view_case",
        export_permission=EXPORT,
        description=_(
            "The protection cases the reader may see (their record scope: own, team, area or "
            "all), one row per case, by case key: no name, phone or document. Vulnerabilities "
            "and needs of a GBV case are shown only to its owner and the GBV team. Every read "
            "is audited."
        ),
        filters=(
            Filter("start", _("Identified from"), "date"),
            Filter("end", _("Identified to"), "date"),
            Filter("status", _("Status"), "choice", tuple(Case.Status.choices)),
            Filter("site", _("Site (code)"), "site"),
        ),
        columns=(
            Column("case_key", _("Case key"), "text", "#case+id"),
            Column("identified_on", _("Identified on"), "date", "#date+identified"),
            Column("site__code", _("Site"), "text", "#loc+code"),
            Column("site__area__pcode", _("Admin area P-code"), "text", "#adm2+code"),
            Column("sex", _("Sex"), "code", "#group+sex", tuple(Sex.choices)),
            Column("age_group", _("Age group"), "code", "#group+age", tuple(AgeGroup.choices)),
            Column("nationality", _("Nationality (ISO3)"), "text", "#country+code"),
            Column(
                "vulnerabilities",
                _("Vulnerabilities"),
                "codes",
                "#indicator+vulnerability",
                tuple(Vulnerability.choices),
                gate="openable",
            ),
            Column(
                "needs",
                _("Needs"),
                "codes",
                "#indicator+need",
                tuple(Need.choices),
                gate="openable",
            ),
            Column("status", _("Status"), "code", "#status", tuple(Case.Status.choices)),
            Column("closed_on", _("Closed on"), "date", "#date+closed"),
        ),
    )
)

REFERRALS = register_table(
    Table(
        key="protection.referrals",
        rows=referral_rows,
        title=_("Referrals to services (pseudonymous)"),
        permission="protection.view_referral",
        export_permission=EXPORT,
        description=_(
            "Referrals of the cases the reader may see, and those addressed to the reader's "
            "organisation: case key, service, provider and status; nothing of what was shared, "
            "no note. Every read is audited."
        ),
        filters=(
            Filter("status", _("Status"), "choice", tuple(Referral.Status.choices)),
            Filter("service_type", _("Service"), "choice", tuple(ServiceType.choices)),
        ),
        columns=(
            Column("id", _("Referral"), "int", "#meta+id"),
            Column("case__case_key", _("Case key"), "text", "#case+id"),
            Column(
                "service_type", _("Service"), "code", "#service+type", tuple(ServiceType.choices)
            ),
            Column("provider__name", _("Provider"), "text", "#org+provider"),
            Column("status", _("Status"), "code", "#status", tuple(Referral.Status.choices)),
            Column(
                "consent_override", _("Made without consent (override)"), "bool", "#meta+override"
            ),
            Column("created_at", _("Referred at"), "datetime", "#date+referred"),
            Column("accepted_at", _("Accepted at"), "datetime", "#date+accepted"),
            Column("closed_at", _("Closed at"), "datetime", "#date+closed"),
            Column("due_on", _("Follow-up due on"), "date", "#date+due"),
        ),
    )
)

ASSISTANCE = register_table(
    Table(
        key="protection.assistance",
        rows=assistance_rows,
        title=_("Assistance given (pseudonymous)"),
        permission="protection.view_assistance",
        export_permission=EXPORT,
        description=_(
            "Direct assistance given to the cases the reader may see and open: case key, what, "
            "when and its value; no note. Every read is audited."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("kind", _("Assistance"), "choice", tuple(Assistance.Kind.choices)),
        ),
        columns=(
            Column("id", _("Assistance"), "int", "#meta+id"),
            Column("case__case_key", _("Case key"), "text", "#case+id"),
            Column(
                "kind", _("Assistance"), "code", "#service+type", tuple(Assistance.Kind.choices)
            ),
            Column("given_on", _("Given on"), "date", "#date"),
            Column("value", _("Value"), "decimal", "#value"),
        ),
    )
)

SITES = register_table(
    Table(
        key="protection.sites",
        rows=site_rows,
        title=_("Temporary site monitoring"),
        permission="protection.view_sitemonitoring",
        description=_(
            "Visits of the temporary (IDP) sites: population, households, isolation, "
            "handwashing points, latrines and distancing, one row per visit."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("site", _("Site (code)"), "site"),
        ),
        columns=(
            Column("id", _("Visit"), "int", "#meta+id"),
            Column("date", _("Date"), "date", "#date"),
            Column("site__code", _("Site"), "text", "#loc+code"),
            Column("population", _("Individuals"), "int", "#population+total"),
            Column("households", _("Households"), "int", "#population+hh"),
            Column("isolation_tents", _("Isolation tents"), "int", "#capacity+isolation+tents"),
            Column("isolation_capacity", _("Isolation places"), "int", "#capacity+isolation"),
            Column("handwashing_points", _("Handwashing points"), "int", "#capacity+handwashing"),
            Column("latrines", _("Latrines"), "int", "#capacity+latrines"),
            Column(
                "distancing",
                _("Distancing reorganisation"),
                "code",
                "#status+distancing",
                tuple(Distancing.choices),
            ),
        ),
    )
)
