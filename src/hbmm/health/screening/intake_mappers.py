"""Screening forms (XLSForm intake/forms/screening.xlsx, web form, file imports) -> Screenings."""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.screening.models import (
    AGE_MAX,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    Conveyance,
    Decision,
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
