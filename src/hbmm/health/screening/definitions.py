"""Case definitions: the rules a screening is classified by, versioned (one in force at each
moment), the WHO 2020 definition by default."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import audit_log
from hbmm.health.screening.classification import (
    WHO_2020_CODE,
    WHO_2020_RULES,
    validate_rules,
)
from hbmm.health.screening.models import (
    CaseDefinition,
)

# --- Case definitions -----------------------------------------------------------------------


def case_definition_default_ensure() -> CaseDefinition:
    """The WHO 2020 suspect case definition, created on first use."""
    definition, _created = CaseDefinition.objects.get_or_create(
        code=WHO_2020_CODE,
        version=1,
        defaults={
            "name_fr": "OMS, définition de cas suspect COVID-19 (20 mars 2020)",
            "name_en": "WHO COVID-19 suspect case definition (20 March 2020)",
            "valid_from": dt.date(2020, 3, 20),
            "rules": WHO_2020_RULES,
            "source": "WHO, Global surveillance for COVID-19 caused by human infection with "
            "COVID-19 virus, interim guidance, 20 March 2020 (definitions A and B).",
        },
    )
    return definition


def case_definitions_active() -> list[CaseDefinition]:
    """The active definitions, the one in force latest first (valid_from, then version)."""
    return list(CaseDefinition.objects.filter(is_active=True).order_by("-valid_from", "-version"))


def definition_in_force(
    definitions: list[CaseDefinition], moment: dt.datetime
) -> CaseDefinition | None:
    day = moment.date()
    return next((d for d in definitions if d.valid_from <= day), None)


def case_definition_for(moment: dt.datetime) -> CaseDefinition:
    """The active definition in force at `moment` (latest valid_from, then latest version)."""
    return (
        definition_in_force(case_definitions_active(), moment) or case_definition_default_ensure()
    )


@transaction.atomic
def case_definition_add(
    *,
    code: str,
    name_fr: str,
    name_en: str,
    valid_from: dt.date,
    rules: dict,
    source: str = "",
    by: User | None = None,
) -> CaseDefinition:
    """A new version of a case definition (version = last version of `code` + 1)."""
    problems = validate_rules(rules)
    if problems:
        raise ValidationError({"rules": problems})
    last = CaseDefinition.objects.filter(code=code).order_by("-version").first()
    definition = CaseDefinition(
        code=code,
        version=(last.version + 1) if last else 1,
        name_fr=name_fr,
        name_en=name_en,
        valid_from=valid_from,
        rules=rules,
        source=source,
    )
    definition.full_clean()
    definition.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"health.casedefinition:{definition.pk}",
        details={"code": code, "version": definition.version, "valid_from": str(valid_from)},
    )
    return definition
