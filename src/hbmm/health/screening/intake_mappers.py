"""Screening forms (XLSForm intake/forms/screening.xlsx, web form, file imports) -> Screenings."""

import re
import time
from pathlib import Path

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from hbmm.accounts.models import User
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
    screening_update,
    screenings_create_batch,
)
from hbmm.intake.aliases import column_aliases
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
from hbmm.intake.models import Submission
from hbmm.places.models import AdminArea, Site

# The health forms' column aliases (data, listed in docs/imports-health.md).
ALIASES = Path(__file__).resolve().parents[1] / "data" / "intake_aliases.json"

ISO3 = re.compile(r"^[A-Za-z]{3}$")
FORM_ID = "screening"
FRESH_SECONDS = 2.0
# The codes of each choice, read once (a Choices class builds its lists on every access).
SEX, CONVEYANCES, SYMPTOMS = tuple(Sex.values), tuple(Conveyance.values), tuple(Symptom.values)
DECISIONS = tuple(Decision.values)
_LOOKUPS: dict = {}


def site_lookup() -> SiteLookup:
    """A SiteLookup reused while the site registry is unchanged."""
    return _lookups()[0]


def destinations() -> dict[str, AdminArea]:
    """The admin areas of Mali by P-code (upper case)."""
    return _lookups()[1]


def _lookups() -> tuple[SiteLookup, dict[str, AdminArea]]:
    """The site and area lookups, checked against their tables at most every FRESH_SECONDS
    (a file's rows are cleaned by the thousand: not a query per row) and rebuilt when they
    changed. The service checks the point's kinds again when it writes."""
    now = time.monotonic()
    if _LOOKUPS and now - _LOOKUPS["checked"] < FRESH_SECONDS:
        return _LOOKUPS["sites"], _LOOKUPS["areas"]
    fingerprint = tuple(
        Site.objects.aggregate(
            n=Count("kinds"),
            c=Count("pk", distinct=True),
            m=Max("pk"),
            f=Max("active_from"),
            t=Max("active_to"),
        ).values()
    ) + tuple(AdminArea.objects.aggregate(n=Count("pk"), m=Max("pk")).values())
    if _LOOKUPS.get("fingerprint") != fingerprint:
        _LOOKUPS["fingerprint"], _LOOKUPS["sites"] = fingerprint, SiteLookup()
        _LOOKUPS["areas"] = {
            area.pcode.upper(): area for area in AdminArea.objects.filter(path__startswith="MLI/")
        }
    _LOOKUPS["checked"] = now
    return _LOOKUPS["sites"], _LOOKUPS["areas"]


def clear_caches() -> None:
    _LOOKUPS.clear()


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
    # Kept encrypted with the raw payload in intake, shown to this permission only.
    identifier_fields = frozenset({"traveller_name", "phone", "document_number"})
    identifier_permission = "health.view_identifiers"
    aliases = column_aliases(ALIASES, "screening")

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
            destination = destinations().get(pcode.upper())
            if destination is None:
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
            "nationality": _country(data, "nationality", errors),
            "conveyance": clean_choice(data, "conveyance", errors, CONVEYANCES),
            "company_plate": clean_text(data, "company_plate", errors, max_length=100),
            "origin_country": _country(data, "origin_country", errors),
            "origin_place": clean_text(data, "origin_place", errors, max_length=200),
            "countries_visited": _countries(data, "countries_visited", errors),
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
        """New screenings go in batches (one per submitter and demo flag); an edit updates
        the screening its previous version made, one by one."""
        senders = {
            pk: (submitter_id, is_demo)
            for pk, submitter_id, is_demo in Submission.objects.filter(
                pk__in=[item.submission_id for item in items]
            ).values_list("pk", "submitter_id", "is_demo")
        }
        users = User.objects.in_bulk({pk for pk, _demo in senders.values() if pk is not None})
        batches: dict[tuple, list[dict]] = {}
        for item in items:
            submitter_id, is_demo = senders[item.submission_id]
            submitter, notify = users.get(submitter_id), not is_demo
            values = dict(item.cleaned)
            point = values.pop("site")
            if item.existing:
                values.pop("agent_name")
                screening_update(
                    screening=item.existing[0],
                    by=item.actor,  # the edit's sender, or the reviewer who corrected it
                    point=point,
                    submission=item.submission,
                    notify=notify,
                    **values,
                )
            else:
                row = {"point": point, "submission_id": item.submission_id, **values}
                batches.setdefault((submitter, notify), []).append(row)
        for (submitter, notify), rows in batches.items():
            screenings_create_batch(
                rows=rows,
                by=submitter,
                notify=notify,
                check_scope=False,  # checked in clean(), with the submitter's scope
            )
