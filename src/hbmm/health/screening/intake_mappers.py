"""Screening forms (XLSForm intake/forms/screening.xlsx, web form, file imports) -> Screenings."""

import csv
import io
import re
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import audit_log
from hbmm.health.screening import selectors
from hbmm.health.screening.followup import FollowUpVisitRow, followup_visits_save_batch
from hbmm.health.screening.models import (
    AGE_MAX,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    Conveyance,
    Decision,
    FollowUpVisit,
    Screening,
    Sex,
    Symptom,
)
from hbmm.health.screening.services import POINT_KINDS, ScreeningRow, screenings_save_batch
from hbmm.intake.aliases import column_aliases
from hbmm.intake.cleaning import (
    clean_bool,
    clean_choice,
    clean_countries,
    clean_country,
    clean_date,
    clean_datetime,
    clean_decimal,
    clean_int,
    clean_multi_choice,
    clean_site,
    clean_text,
)
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError, items_by_context
from hbmm.places.lookups import Lookups

# The health forms' column aliases (data, listed in docs/imports-health.md).
ALIASES = Path(__file__).resolve().parents[1] / "data" / "intake_aliases.json"

FORM_ID = "screening"
# The codes of each choice, read once (a Choices class builds its lists on every access).
SEX, CONVEYANCES, SYMPTOMS = tuple(Sex.values), tuple(Conveyance.values), tuple(Symptom.values)
DECISIONS = tuple(Decision.values)
MALI = "MLI/"  # the destination is an admin area of Mali (materialised path)


class ScreeningMapper(Mapper):
    form_id = FORM_ID
    example = {
        "point": "BCP-GOGUI",
        "screened_at": "2020-04-28 09:30",
        "sex": "female",
        "nationality": "GIN",
        "conveyance": "bus",
        "origin_country": "GIN",
        "countries_visited": "GIN",
        "destination": "ML0101",
        "contact_sick": "no",
        "temperature": "36.8",
        "symptoms": "",
        "decision": "",
    }
    model = Screening
    permission = "health.add_screening"
    site_field = "point"  # read by the OpenRosa server's scope check (intake)
    title = gettext_lazy("Traveller screening at a point of entry")
    # Kept encrypted with the raw payload in intake, shown to this permission only.
    identifier_fields = frozenset({"traveller_name", "phone", "document_number"})
    identifier_permission = "health.view_identifiers"
    aliases = column_aliases(ALIASES, "screening")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        screened_at = clean_datetime(data, "screened_at", errors, required=True, not_future=True)
        point = clean_site(
            data,
            "point",
            errors,
            lookups,
            submitter=submitter,
            kinds=POINT_KINDS,
            on=screened_at.date() if screened_at else None,
        )
        temperature = clean_decimal(
            data, "temperature", errors, minimum=TEMPERATURE_MIN, maximum=TEMPERATURE_MAX
        )
        if temperature is not None:
            temperature = temperature.quantize(type(temperature)("0.1"))
        age = clean_int(data, "age", errors, minimum=0, maximum=AGE_MAX)
        destination = None
        pcode = clean_text(data, "destination", errors, max_length=20)
        if pcode:
            destination = lookups.area(pcode)
            if destination is None or not destination.path.startswith(MALI):
                errors.append(FieldError("destination", pcode, _("Unknown P-code in Mali.")))
        cleaned = {
            "site": point,
            "screened_at": screened_at,
            "agent_name": clean_text(data, "agent_name", errors, max_length=150),
            "name": clean_text(data, "traveller_name", errors, max_length=200),
            "phone": clean_text(data, "phone", errors, max_length=40),
            "document_number": clean_text(data, "document_number", errors, max_length=60),
            "sex": clean_choice(data, "sex", errors, SEX, default=Sex.UNKNOWN),
            "age": age,
            "nationality": clean_country(data, "nationality", errors),
            "conveyance": clean_choice(data, "conveyance", errors, CONVEYANCES),
            "company_plate": clean_text(data, "company_plate", errors, max_length=100),
            "origin_country": clean_country(data, "origin_country", errors),
            "origin_place": clean_text(data, "origin_place", errors, max_length=200),
            "countries_visited": clean_countries(data, "countries_visited", errors),
            "destination": destination,
            "contact_sick": clean_bool(data, "contact_sick", errors),
            "temperature": temperature,
            "symptoms": clean_multi_choice(data, "symptoms", errors, SYMPTOMS),
            "other_symptom": clean_text(data, "other_symptom", errors, max_length=200),
            "decision": clean_choice(data, "decision", errors, DECISIONS),
            "override_reason": clean_text(data, "override_reason", errors, max_length=1000),
        }
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        """One batch save per context (submitter, sender, channel, demo flag)."""
        for ctx, group in items_by_context(items).items():
            screenings_save_batch([_row(item) for item in group], ctx=ctx)


def _row(item: Item) -> ScreeningRow:
    values = dict(item.cleaned)
    edited = item.existing[0] if item.existing else None
    return ScreeningRow(
        submission_id=item.submission_id,
        point=values.pop("site"),
        screened_at=values.pop("screened_at"),
        agent_name=values.pop("agent_name"),
        name=values.pop("name"),
        phone=values.pop("phone"),
        document_number=values.pop("document_number"),
        decision=values.pop("decision"),
        override_reason=values.pop("override_reason"),
        traveller=values,
        existing=edited,
        submission=item.submission if edited is not None else None,
    )


# --- The follow-up visit form ---------------------------------------------------------------

FOLLOWUP_FORM_ID = "followup_visit"
FOLLOWUP_CSV = "followup.csv"
REFERENCE = re.compile(r"^SCR-(\d{1,12})$")


class FollowUpVisitMapper(Mapper):
    """A visit (or call) of the 14-day follow-up, from ODK Collect: the traveller is chosen in
    `followup.csv`, the follow-ups open in the agent's scope (`followup_csv`)."""

    form_id = FOLLOWUP_FORM_ID
    model = FollowUpVisit
    permission = "health.add_followupvisit"
    site_field = None  # about a traveller: the scope is checked on their screening's point
    title = gettext_lazy("Follow-up visit of a traveller (14 days)")
    aliases = column_aliases(ALIASES, FOLLOWUP_FORM_ID)

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        reference = clean_text(data, "followup", errors, required=True, max_length=20).strip()
        screening = None
        if reference:
            match = REFERENCE.match(reference.upper())
            if match:
                screening = (
                    selectors.followups_for(user_scope(submitter))
                    .filter(pk=int(match.group(1)))
                    .first()
                )
            if screening is None:
                errors.append(
                    FieldError(
                        "followup",
                        reference,
                        _("No follow-up with this reference in your geographic scope."),
                    )
                )
        reached = clean_bool(data, "reached", errors, required=True)
        temperature = clean_decimal(
            data, "temperature", errors, minimum=TEMPERATURE_MIN, maximum=TEMPERATURE_MAX
        )
        if temperature is not None:
            temperature = temperature.quantize(type(temperature)("0.1"))
        cleaned = {
            "screening": screening,
            "visited_on": clean_date(data, "visited_on", errors, required=True, not_future=True),
            "reached": reached,
            "temperature": temperature,
            "symptoms": clean_multi_choice(data, "symptoms", errors, SYMPTOMS),
            "note": clean_text(data, "note", errors, max_length=300),
        }
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        for ctx, group in items_by_context(items).items():
            followup_visits_save_batch([_visit_row(item) for item in group], ctx=ctx)

    def media_file(self, filename: str, *, user) -> bytes | None:
        if filename != FOLLOWUP_CSV:
            return None
        return followup_csv(user=user, on=timezone.now().date())


def _visit_row(item: Item) -> FollowUpVisitRow:
    values = item.cleaned
    return FollowUpVisitRow(
        submission_id=item.submission_id,
        screening=values["screening"],
        visited_on=values["visited_on"],
        reached=values["reached"],
        symptoms=values["symptoms"],
        temperature=values["temperature"],
        note=values["note"],
        existing=item.existing[0] if item.existing else None,
    )


STATUS_WORDS = {
    "not_reached": ("non joint à la dernière visite", "not reached at the last visit"),
    "overdue": ("en retard", "overdue"),
    "due": ("à voir aujourd'hui", "due today"),
    "to_close": ("14 jours écoulés : à clôturer", "14 days over: to close"),
    "visited": ("vu aujourd'hui", "visited today"),
}


def followup_csv(*, user, on) -> bytes:
    """The `followup.csv` media file of the follow-up visit form: the follow-ups open in the
    user's scope on `on`, in worklist order. Pseudonymous (record reference, traveller key,
    sex, age group, area, team, day, status); the name and phone only for a user allowed to
    see identifiers, and that read is written to the audit log."""
    rows = selectors.followup_worklist(scope=user_scope(user), on=on)
    identifiers = selectors.can_view_identifiers(user)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "name",
            "label",
            "label::French (fr)",
            "label::English (en)",
            "person_key",
            "point",
            "area",
            "team",
            "day",
            "until",
            "status",
            "sex",
            "age_group",
            "traveller_name",
            "phone",
        ]
    )
    for row in rows:
        s = row.screening
        status_fr, status_en = STATUS_WORDS[row.status]
        who = f"{s.name} · " if identifiers and s.name else ""
        place = f"{row.area.name_fr} ({row.area.pcode})" if row.area else ""
        label_fr = f"{who}{s.person_key} · {place} · J{row.day}/14 · {status_fr}"
        label_en = f"{who}{s.person_key} · {place} · day {row.day}/14 · {status_en}"
        writer.writerow(
            [
                s.reference,
                label_fr,
                label_fr,
                label_en,
                s.person_key,
                s.point.code,
                row.area.pcode if row.area else "",
                s.follow_up_team,
                row.day,
                s.follow_up_until.isoformat() if s.follow_up_until else "",
                row.status,
                s.sex,
                s.age_group,
                s.name if identifiers else "",
                s.phone if identifiers else "",
            ]
        )
    if identifiers and rows:
        audit_log(
            action=AuditEvent.Action.READ_PROTECTED,
            actor=user,
            target="health.screening",
            details={
                "fields": ["name", "phone"],
                "media": FOLLOWUP_CSV,
                "screenings": [row.screening.pk for row in rows],
            },
        )
    return out.getvalue().encode("utf-8")
