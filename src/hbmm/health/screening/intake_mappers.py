"""Screening forms (XLSForm intake/forms/screening.xlsx, web form, file imports) -> Screenings."""

import re

from django.db.models import Count, Max
from django.utils.translation import gettext as _

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
from hbmm.health.screening.services import (
    POINT_KINDS,
    screening_create,
    screening_update,
)
from hbmm.intake.cleaning import (
    SiteLookup,
    clean_bool,
    clean_choice,
    clean_datetime,
    clean_decimal,
    clean_int,
    clean_multi_choice,
    clean_text,
)
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError
from hbmm.places.models import AdminArea, Site

ISO3 = re.compile(r"^[A-Za-z]{3}$")
FORM_ID = "screening"
_SITES: dict = {}


def site_lookup() -> SiteLookup:
    """A SiteLookup reused while the site registry is unchanged (one aggregate query per row
    instead of loading every site for every row)."""
    fingerprint = tuple(
        Site.objects.aggregate(
            n=Count("kinds"),
            c=Count("pk", distinct=True),
            m=Max("pk"),
            f=Max("active_from"),
            t=Max("active_to"),
        ).values()
    )
    if _SITES.get("fingerprint") != fingerprint:
        _SITES["fingerprint"], _SITES["lookup"] = fingerprint, SiteLookup()
    return _SITES["lookup"]


def _country(data, name, errors) -> str:
    value = clean_text(data, name, errors)
    if value and not ISO3.match(value):
        errors.append(FieldError(name, value, _("Use a three-letter ISO country code (e.g. GIN).")))
        return ""
    return value.upper()


def _countries(data, name, errors) -> list[str]:
    value = data.get(name)
    if value in (None, ""):
        return []
    parts = value if isinstance(value, list) else re.split(r"[\s;,]+", str(value).strip())
    result = []
    for part in parts:
        if not part:
            continue
        if not ISO3.match(part):
            errors.append(FieldError(name, part, _("Use three-letter ISO country codes.")))
        elif part.upper() not in result:
            result.append(part.upper())
    return result


class ScreeningMapper(Mapper):
    form_id = FORM_ID
    model = Screening
    permission = "health.add_screening"
    site_field = "point"  # read by the OpenRosa server's scope check (intake)
    title = "Traveller screening at a point of entry"
    aliases = {
        "point": ("site", "point_of_entry", "poe", "point_entree", "poste"),
        "screened_at": ("datetime", "date_time", "date_heure", "screening_time"),
        "traveller_name": ("name", "nom", "full_name"),
        "phone": ("telephone", "tel"),
        "document_number": ("document", "passport", "numero_document", "id_number"),
        "sex": ("sexe", "gender"),
        "nationality": ("nationalite",),
        "conveyance": ("transport", "moyen_transport"),
        "company_plate": ("plate", "immatriculation", "compagnie"),
        "origin_country": ("pays_provenance", "country_of_origin"),
        "origin_place": ("lieu_provenance",),
        "countries_visited": ("pays_visites", "visited_countries"),
        "destination": ("destination_pcode", "destination_mali"),
        "contact_sick": ("contact", "contact_malade"),
        "temperature": ("temp", "temperature_c"),
        "symptoms": ("symptomes",),
        "other_symptom": ("autre_symptome", "symptoms_other"),
        "decision": ("agent_decision", "decision_agent"),
        "override_reason": ("reason", "raison"),
    }

    def clean(self, data: dict, *, submitter) -> dict:
        errors: list[FieldError] = []
        screened_at = clean_datetime(data, "screened_at", errors, required=True, not_future=True)
        point = site_lookup().clean(
            data,
            "point",
            errors,
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
            destination = AdminArea.objects.filter(pcode=pcode.upper()).first()
            if destination is None or not destination.path.startswith("MLI/"):
                errors.append(FieldError("destination", pcode, _("Unknown P-code in Mali.")))
                destination = None
        cleaned = {
            "site": point,
            "screened_at": screened_at,
            "agent_name": clean_text(data, "agent_name", errors, max_length=150),
            "name": clean_text(data, "traveller_name", errors, max_length=200),
            "phone": clean_text(data, "phone", errors, max_length=40),
            "document_number": clean_text(data, "document_number", errors, max_length=60),
            "sex": clean_choice(data, "sex", errors, Sex, default=Sex.UNKNOWN),
            "age": age,
            "nationality": _country(data, "nationality", errors),
            "conveyance": clean_choice(data, "conveyance", errors, Conveyance),
            "company_plate": clean_text(data, "company_plate", errors, max_length=100),
            "origin_country": _country(data, "origin_country", errors),
            "origin_place": clean_text(data, "origin_place", errors, max_length=200),
            "countries_visited": _countries(data, "countries_visited", errors),
            "destination": destination,
            "contact_sick": clean_bool(data, "contact_sick", errors),
            "temperature": temperature,
            "symptoms": clean_multi_choice(data, "symptoms", errors, Symptom),
            "other_symptom": clean_text(data, "other_symptom", errors, max_length=200),
            "decision": clean_choice(data, "decision", errors, Decision),
            "override_reason": clean_text(data, "override_reason", errors, max_length=1000),
        }
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        for item in items:
            values = dict(item.cleaned)
            point = values.pop("site")
            screened_at = values.pop("screened_at")
            agent_name = values.pop("agent_name")
            submitter = item.submission.submitter
            notify = not item.submission.is_demo
            if item.existing:
                screening_update(
                    screening=item.existing[0],
                    by=submitter,
                    point=point,
                    screened_at=screened_at,
                    submission=item.submission,
                    notify=notify,
                    **values,
                )
            else:
                screening_create(
                    point=point,
                    screened_at=screened_at,
                    agent=submitter,
                    agent_name=agent_name,
                    submission=item.submission,
                    notify=notify,
                    check_scope=False,  # checked in clean(), with the submitter's scope
                    **values,
                )
