"""Traveller screenings as a table (`hbmm.presentation.tables`): the records behind the screening
figures, pseudonymous (no identifiers). Registered from screening.setup."""

from django.utils.translation import gettext_lazy as _

from hbmm.health.screening import selectors
from hbmm.health.screening.models import AgeGroup, FollowUpOutcome, Screening, Sex
from hbmm.presentation.tables import Column, Filter, Table, register_table


def screening_rows(q):
    f = q.filters
    site = f.get("site")
    return selectors.screening_list(
        scope=q.scope,
        start=f.get("start"),
        end=f.get("end"),
        point=site.code if site else "",
        suspect_only=f.get("suspect", False),
    ).order_by("screened_at", "pk")


SCREENINGS = register_table(
    Table(
        key="health.screenings",
        title=_("Traveller screenings"),
        permission="health.view_screening",
        description=_(
            "Screenings in the period, without the travellers' identifiers (pseudonymous records)."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("site", _("Point (code)"), "site"),
            Filter("suspect", _("Suspect cases only"), "bool"),
        ),
        columns=(
            Column("screened_at", _("Screened at"), "datetime", "#date+screened"),
            Column("point__code", _("Point"), "text", "#loc+code"),
            Column("sex", _("Sex"), "code", "#sex", Sex.choices),
            Column("age_group", _("Age group"), "code", "#age+group", AgeGroup.choices),
            Column("nationality", _("Nationality"), "text", "#country+code"),
            Column("has_symptoms", _("With symptoms"), "bool", "#indicator+symptoms"),
            Column("is_suspect", _("Suspect"), "bool", "#indicator+suspect"),
            Column("isolated_at", _("Isolated at"), "datetime", "#date+isolated"),
            Column("notified_at", _("Notified at"), "datetime", "#date+notified"),
            Column("referred_at", _("Referred at"), "datetime", "#date+referred"),
            Column("sampled_at", _("Sampled at"), "datetime", "#date+sampled"),
            Column(
                "lab_result", _("Lab result"), "code", "#status+lab", Screening.LabResult.choices
            ),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=screening_rows,
    )
)


def followup_rows(q):
    f = q.filters
    site = f.get("site")
    return selectors.followup_list(
        scope=q.scope,
        start=f.get("start"),
        end=f.get("end"),
        point=site.code if site else "",
        outcome=f.get("outcome", ""),
        open_on=f.get("open_on"),
    ).order_by("screened_at", "pk")


FOLLOWUPS = register_table(
    Table(
        key="health.followups",
        title=_("Traveller follow-ups"),
        permission="health.view_followupvisit",
        description=_(
            "The 14-day follow-ups of the travellers screened in the period (date of entry), "
            "without the travellers' identifiers (pseudonymous records)."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("site", _("Point (code)"), "site"),
            Filter(
                "outcome",
                _("Outcome"),
                "choice",
                (("open", _("under follow-up")), *FollowUpOutcome.choices),
            ),
            Filter("open_on", _("Under follow-up on"), "date"),
        ),
        columns=(
            Column("screened_at", _("Screened at"), "datetime", "#date+screened"),
            Column("point__code", _("Point"), "text", "#loc+code"),
            Column("person_key", _("Traveller key"), "text", "#beneficiary+id"),
            Column("destination__pcode", _("Destination"), "text", "#adm2+code"),
            Column("follow_up_team", _("Team"), "text", "#org+team"),
            Column("follow_up_until", _("Follow-up until"), "date", "#date+end"),
            Column(
                "follow_up_outcome",
                _("Outcome"),
                "code",
                "#status+followup",
                tuple(FollowUpOutcome.choices),
            ),
            Column("follow_up_closed_on", _("Closed on"), "date", "#date+closed"),
            Column("is_suspect", _("Suspect"), "bool", "#indicator+suspect"),
        ),
        rows=followup_rows,
    )
)
