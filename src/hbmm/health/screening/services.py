"""Writes for traveller screening: classification, the agent's decision, the suspect-case
workflow, the alert e-mail and follow-up visits. Every function is one transaction and writes
the audit trail; forbidden workflow transitions raise WorkflowError with a clear message.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.scope import sites_in_scope
from hbmm.accounts.services import audit_log, audit_log_many
from hbmm.crypto import pseudonym
from hbmm.db import concrete_columns, dict_rows, insert_rows
from hbmm.health.screening.classification import (
    WHO_2020_CODE,
    WHO_2020_RULES,
    Facts,
    classify,
    validate_rules,
)
from hbmm.health.screening.models import (
    AGE_MAX,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    AgeGroup,
    CaseDefinition,
    Conveyance,
    FollowUpVisit,
    Screening,
    Sex,
    Symptom,
)
from hbmm.health.screening.tasks import alert_emails_enqueue
from hbmm.places.countries import is_country
from hbmm.places.models import AdminArea, Site, SiteKind

POINT_KINDS = (
    SiteKind.BORDER_CROSSING_POINT,
    SiteKind.INTERNAL_TRANSIT_POINT,
    SiteKind.SANITARY_CORDON,
)
FOLLOW_UP_DAYS = 14
CLOCK_SKEW = dt.timedelta(minutes=5)


class WorkflowError(ValidationError):
    """A workflow step that is not allowed now; the message says why."""


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


def _in_force(definitions: list[CaseDefinition], moment: dt.datetime) -> CaseDefinition | None:
    day = moment.date()
    return next((d for d in definitions if d.valid_from <= day), None)


def case_definition_for(moment: dt.datetime) -> CaseDefinition:
    """The active definition in force at `moment` (latest valid_from, then latest version)."""
    return _in_force(case_definitions_active(), moment) or case_definition_default_ensure()


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


# --- Screening ------------------------------------------------------------------------------


def person_key_for(*, name: str = "", phone: str = "", document_number: str = "") -> str:
    """Pseudonymous key: the same document (or name and phone) gives the same key."""
    if document_number.strip():
        return pseudonym("doc", document_number.replace(" ", ""))
    if name.strip():
        return pseudonym("name", name, phone.replace(" ", ""))
    return "T-" + uuid.uuid4().hex[:12].upper()


def _check_moment(value, field: str, errors: dict, *, not_before=None, before_label="", now=None):
    if value is None:
        return
    if value > (now or timezone.now()) + CLOCK_SKEW:
        errors.setdefault(field, []).append(_("The time is in the future."))
    if not_before is not None and value < not_before:
        errors.setdefault(field, []).append(
            _("The time is before %(step)s (%(at)s).")
            % {
                "step": before_label,
                "at": timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M"),
            }
        )


# Read once: a Choices class builds its lists of values on every access.
SYMPTOM_CODES = frozenset(Symptom.values)
SEX_CODES = frozenset(Sex.values)
CONVEYANCE_CODES = frozenset(["", *Conveyance.values])


def _validate_traveller(values: dict, errors: dict) -> None:
    temperature = values.get("temperature")
    if temperature is not None and not (
        Decimal(TEMPERATURE_MIN) <= Decimal(str(temperature)) <= Decimal(TEMPERATURE_MAX)
    ):
        errors.setdefault("temperature", []).append(
            _("The temperature must be between %(min)s and %(max)s °C.")
            % {"min": TEMPERATURE_MIN, "max": TEMPERATURE_MAX}
        )
    age = values.get("age")
    if age is not None and not 0 <= age <= AGE_MAX:
        errors.setdefault("age", []).append(_("The age must be between 0 and %d.") % AGE_MAX)
    unknown = sorted(set(values.get("symptoms") or []) - SYMPTOM_CODES)
    if unknown:
        errors.setdefault("symptoms", []).append(_("Unknown symptoms: %s.") % ", ".join(unknown))
    if values.get("sex", Sex.UNKNOWN) not in SEX_CODES:
        errors.setdefault("sex", []).append(_("Choose male, female or not stated."))
    if values.get("conveyance", "") not in CONVEYANCE_CODES:
        errors.setdefault("conveyance", []).append(_("Unknown conveyance."))
    for field in ("nationality", "origin_country"):
        code = values.get(field) or ""
        if code and not is_country(code):
            errors.setdefault(field, []).append(
                _("Use a three-letter ISO country code (e.g. GIN).")
            )
    visited = values.get("countries_visited") or []
    if any(not is_country(c) for c in visited):
        errors.setdefault("countries_visited", []).append(_("Use three-letter ISO country codes."))
    destination = values.get("destination")
    if destination is not None and not destination.path.startswith("MLI/"):
        errors.setdefault("destination", []).append(_("The destination must be in Mali."))


TRAVELLER_FIELDS = (
    "sex",
    "age",
    "nationality",
    "conveyance",
    "company_plate",
    "origin_country",
    "origin_place",
    "countries_visited",
    "destination",
    "contact_sick",
    "temperature",
    "symptoms",
    "other_symptom",
)


CLASSIFIED_FIELDS = (
    "temperature",
    "symptoms",
    "contact_sick",
    "origin_country",
    "countries_visited",
)


def _classification(definition: CaseDefinition, values: dict) -> dict:
    """The automatic classification of a traveller (`values`: Screening fields; a field left
    out has its default), as the Screening fields that hold it."""
    result = classify(
        definition.rules,
        Facts(
            temperature=values.get("temperature"),
            symptoms=tuple(values.get("symptoms") or ()),
            contact=values.get("contact_sick"),
            origin_country=values.get("origin_country") or "",
            countries_visited=tuple(values.get("countries_visited") or ()),
        ),
    )
    return {
        "case_definition": definition,
        "auto_suspect": result.is_suspect,
        "matched_clauses": result.matched,
        "has_symptoms": result.has_symptoms,
    }


def _classify(screening: Screening) -> None:
    values = {field: getattr(screening, field) for field in CLASSIFIED_FIELDS}
    definition = case_definition_for(screening.screened_at)
    for field, value in _classification(definition, values).items():
        setattr(screening, field, value)


def _decision(*, auto_suspect: bool, decision: str, reason: str, by, at) -> tuple[dict, bool]:
    """The final classification from the agent's decision, as the Screening fields it sets;
    and whether it is an override."""
    if not decision:
        status = Screening.ClassificationStatus.AUTOMATIC
        return {"is_suspect": auto_suspect, "classification_status": status}, False
    wanted = decision == "suspect"
    override = wanted != auto_suspect
    if override and not reason.strip():
        raise ValidationError(
            {
                "override_reason": _(
                    "The decision differs from the case definition (%(auto)s): give a reason."
                )
                % {"auto": _("suspect") if auto_suspect else _("not a suspect")}
            }
        )
    fields = {
        "is_suspect": wanted,
        "classification_status": Screening.ClassificationStatus.OVERRIDDEN
        if override
        else Screening.ClassificationStatus.CONFIRMED,
        "override_reason": reason.strip() if override else "",
        "decided_by": by,
        "decided_at": at,
    }
    return fields, override


def _apply_decision(screening: Screening, *, decision: str, reason: str, by, at) -> bool:
    """Set the final classification from the agent's decision; True when it is an override."""
    fields, override = _decision(
        auto_suspect=screening.auto_suspect, decision=decision, reason=reason, by=by, at=at
    )
    for field, value in fields.items():
        setattr(screening, field, value)
    return override


class _Checks:
    """What checking and classifying new screenings needs from the database, read once for
    all the screenings of a call: the case definitions, the points' site kinds and, when the
    agent's scope is checked, the points outside it."""

    def __init__(self, points, *, agent, check_scope: bool):
        ids = {point.pk for point in points}
        self.now = timezone.now()
        self.definitions = case_definitions_active()
        self._default = None
        self.kinds: dict[int, set[str]] = {}
        through = Site.kinds.through.objects.filter(site_id__in=ids)
        for site_id, code in through.values_list("site_id", "sitekind__code"):
            self.kinds.setdefault(site_id, set()).add(code)
        self.out_of_scope: set[int] = set()
        if check_scope and agent is not None:
            self.out_of_scope = ids - set(
                sites_in_scope(agent).filter(pk__in=ids).values_list("pk", flat=True)
            )

    def definition(self, moment: dt.datetime) -> CaseDefinition:
        found = _in_force(self.definitions, moment)
        if found is None:  # as case_definition_for: the default, created on first use
            found = self._default = self._default or case_definition_default_ensure()
        return found


NEW_SCREENING_ARGUMENTS = frozenset(
    {
        "point",
        "screened_at",
        "agent_name",
        "name",
        "phone",
        "document_number",
        "person_key",
        "decision",
        "override_reason",
        "submission",
        "submission_id",
    }
)
_TRAVELLER_FIELDS = frozenset(TRAVELLER_FIELDS)
_POINT_KINDS = frozenset(POINT_KINDS)
# What a new screening's insert leaves out: the later workflow steps, empty (NULL) at first.
LATER_STEPS = {
    "isolated_at",
    "referred_at",
    "referral_facility_id",
    "sampled_at",
    "sample_lab_id",
    "result_at",
    "outcome_at",
    "follow_up_until",
}


def _new_screening(row: dict, *, agent, checks: _Checks) -> tuple[dict, bool]:
    """Check a new screening (`row`: screening_create's arguments), then the values of its
    record: identifiers and person key, age group, classification and the agent's decision;
    and whether the decision is an override. Raises ValidationError naming each field at
    fault. The one way a new screening is checked and classified, alone or in a batch."""
    traveller = {k: v for k, v in row.items() if k not in NEW_SCREENING_ARGUMENTS}
    unknown = traveller.keys() - _TRAVELLER_FIELDS
    if unknown:
        raise TypeError(f"unknown screening fields: {sorted(unknown)}")
    point, screened_at = row["point"], row["screened_at"]
    errors: dict[str, list] = {}
    _check_moment(screened_at, "screened_at", errors, now=checks.now)
    _validate_traveller(traveller, errors)
    if not checks.kinds.get(point.pk, set()) & _POINT_KINDS:
        errors.setdefault("point", []).append(_("This site is not a point of entry or cordon."))
    if point.pk in checks.out_of_scope:
        errors.setdefault("point", []).append(_("This site is outside your geographic scope."))
    if errors:
        raise ValidationError(errors)
    name, phone = row.get("name", ""), row.get("phone", "")
    document_number = row.get("document_number", "")
    values = {
        "point": point,
        "screened_at": screened_at,
        "agent": agent,
        "agent_name": row.get("agent_name") or (agent.get_username() if agent else ""),
        "person_key": row.get("person_key")
        or person_key_for(name=name, phone=phone, document_number=document_number),
        "name": name.strip(),
        "phone": phone.strip(),
        "document_number": document_number.strip(),
        **traveller,
    }
    if row.get("submission") is not None:
        values["submission"] = row["submission"]
    else:
        values["submission_id"] = row.get("submission_id")
    values["age_group"] = AgeGroup.of(values.get("age"))
    values.update(_classification(checks.definition(screened_at), values))
    decided, override = _decision(
        auto_suspect=values["auto_suspect"],
        decision=row.get("decision", ""),
        reason=row.get("override_reason", ""),
        by=agent,
        at=screened_at,
    )
    values.update(decided)
    return values, override


@transaction.atomic
def screening_create(
    *,
    point: Site,
    screened_at: dt.datetime,
    agent: User | None = None,
    agent_name: str = "",
    name: str = "",
    phone: str = "",
    document_number: str = "",
    person_key: str = "",
    decision: str = "",
    override_reason: str = "",
    submission=None,
    notify: bool = True,
    check_scope: bool = True,
    **traveller,
) -> Screening:
    """Record one screening, classify it, apply the agent's decision; a suspect is notified.

    `traveller` holds the fields in TRAVELLER_FIELDS. `decision` ("suspect"/"not_suspect")
    different from the automatic classification needs `override_reason` (audited).
    Screenings by the thousand (file imports) go through `screenings_create_batch`.
    """
    row = {
        "point": point,
        "screened_at": screened_at,
        "agent_name": agent_name,
        "name": name,
        "phone": phone,
        "document_number": document_number,
        "person_key": person_key,
        "decision": decision,
        "override_reason": override_reason,
        "submission": submission,
        **traveller,
    }
    checks = _Checks([point], agent=agent, check_scope=check_scope)
    values, override = _new_screening(row, agent=agent, checks=checks)
    screening = Screening(**values)
    screening.save()  # validated above; the database constraints back the ranges up
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=agent,
        target=f"health.screening:{screening.pk}",
        details={"created": True, "suspect": screening.is_suspect},
    )
    if override:
        _audit_override(screening, by=agent)
    if screening.is_suspect and notify:
        _notify_now(screening, by=agent)
    return screening


@transaction.atomic
def screenings_create_batch(
    *,
    rows: Sequence[dict],
    by: User | None = None,
    notify: bool = True,
    check_scope: bool = True,
) -> list[int]:
    """Record the screenings of `rows`, made by the agent `by`, in a constant number of
    queries: the intake path (a file of a million rows, a batch of field submissions).
    Returns the new records' ids, in the order of `rows`.

    Each row holds screening_create's arguments but `agent` (it is `by`) and `notify`, with
    the `submission_id` it comes from. Every row is checked, classified and decided as
    screening_create does it (a ValidationError names the field at fault; nothing is written
    then); one insert writes them all. The audit log gets one event for the batch (who, how
    many, which submissions and records) instead of one per record; overrides and
    notifications keep their own event per record, as in screening_create. Suspects are
    notified as one by one: notification time, alert e-mail after the commit.
    """
    if not rows:
        return []
    submission_ids = [row.get("submission_id") for row in rows]
    if None in submission_ids or len(set(submission_ids)) < len(rows):
        raise TypeError("each row needs the submission_id it comes from, its own")
    checks = _Checks({row["point"] for row in rows}, agent=by, check_scope=check_scope)
    created = [_new_screening(row, agent=by, checks=checks) for row in rows]
    notified = [values for values, _o in created if values["is_suspect"]] if notify else []
    recipients = _recipients_by_point({values["point"].pk for values in notified})
    now = timezone.now()
    for values in notified:
        values["notified_at"] = max(now, values["screened_at"])  # as _notify_now
        values["alert_recipients"] = len(recipients[values["point"].pk])
        values["alert_sent_at"] = now
    columns = [c for c in concrete_columns(Screening) if c not in LATER_STEPS]
    insert_rows(Screening, columns, dict_rows(Screening, columns, [v for v, _o in created]))
    # A new submission has no other screening; the newest one is the one written now.
    ids_of = dict(
        Screening.objects.filter(submission_id__in=submission_ids)
        .order_by("pk")
        .values_list("submission_id", "pk")
    )
    ids = [ids_of[submission_id] for submission_id in submission_ids]
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target="health.screening",
        details={
            "created": len(ids),
            "suspect": sum(values["is_suspect"] for values, _o in created),
            "screenings": id_ranges(ids),
            "submissions": id_ranges(submission_ids),
        },
    )
    _notable_record(created, ids, recipients, by=by, notify=notify)
    return ids


def _notable_record(created, ids, recipients, *, by, notify: bool) -> None:
    """The overrides' and the notifications' audit events (one per record, as for a single
    screening, in one insert), and the suspects' alert e-mails."""
    events, alerts = [], []
    for (values, override), pk in zip(created, ids, strict=True):
        if not (override or (notify and values["is_suspect"])):
            continue
        screening = Screening(pk=pk, **values)
        if override:
            events.append(_override_event(screening, by=by))
        if notify and screening.is_suspect:
            events.append(
                _step_event(
                    screening,
                    by=by,
                    step="notified",
                    details={"recipients": len(recipients[screening.point_id])},
                )
            )
            alerts.append((screening, recipients[screening.point_id]))
    if events:
        audit_log_many(events)
    _alerts_send(alerts, by=by)


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Ids as [first, last] runs (the ids of a batch follow each other): [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


@transaction.atomic
def screening_update(
    *,
    screening: Screening,
    by: User | None,
    decision: str = "",
    override_reason: str = "",
    name: str = "",
    phone: str = "",
    document_number: str = "",
    submission=None,
    notify: bool = True,
    point: Site | None = None,
    screened_at: dt.datetime | None = None,
    **traveller,
) -> Screening:
    """Apply an edited form to an existing screening: new traveller data, classified again.
    The workflow steps already recorded are kept."""
    errors: dict[str, list] = {}
    _validate_traveller(traveller, errors)
    _check_moment(screened_at, "screened_at", errors)
    if screening.isolated_at and (
        (point is not None and point.pk != screening.point_id)
        or (screened_at is not None and screened_at != screening.screened_at)
    ):
        errors.setdefault("point", []).append(
            _("The suspect-case workflow has started: the point and time cannot change.")
        )
    if errors:
        raise ValidationError(errors)
    if point is not None:
        screening.point = point
    if screened_at is not None:
        screening.screened_at = screened_at
    was_suspect = screening.is_suspect
    for field, value in traveller.items():
        setattr(screening, field, value)
    screening.name, screening.phone = name.strip(), phone.strip()
    screening.document_number = document_number.strip()
    screening.age_group = AgeGroup.of(screening.age)
    if submission is not None:
        screening.submission = submission
    _classify(screening)
    if was_suspect and screening.isolated_at and decision == "not_suspect":
        raise WorkflowError(_("The suspect-case workflow has started; it cannot be undone."))
    override = _apply_decision(
        screening, decision=decision, reason=override_reason, by=by, at=timezone.now()
    )
    if was_suspect and screening.isolated_at and not screening.is_suspect:
        screening.is_suspect = True  # the workflow has started: the traveller stays a suspect
    screening.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"health.screening:{screening.pk}",
        details={"edited": True, "suspect": screening.is_suspect},
    )
    if override:
        _audit_override(screening, by=by)
    if screening.is_suspect and not screening.notified_at and notify:
        _notify_now(screening, by=by)
    return screening


def _audit_override(screening: Screening, *, by) -> None:
    audit_log(**_override_event(screening, by=by))


def _override_event(screening: Screening, *, by) -> dict:
    definition = screening.case_definition
    return {
        "action": AuditEvent.Action.OVERRIDE,
        "actor": by,
        "target": f"health.screening:{screening.pk}",
        "details": {
            "automatic": "suspect" if screening.auto_suspect else "not_suspect",
            "decision": "suspect" if screening.is_suspect else "not_suspect",
            "reason": screening.override_reason,
            "case_definition": f"{definition.code} v{definition.version}",
        },
    }


@transaction.atomic
def screening_decide(
    *, screening: Screening, by: User, decision: str, reason: str = ""
) -> Screening:
    """The agent confirms the automatic classification or overrides it (with a reason)."""
    if decision not in ("suspect", "not_suspect"):
        raise ValidationError({"decision": _("Choose suspect or not a suspect.")})
    if screening.isolated_at and decision == "not_suspect":
        raise WorkflowError(
            _("The traveller has been isolated; record the outcome instead of reclassifying.")
        )
    override = _apply_decision(
        screening, decision=decision, reason=reason, by=by, at=timezone.now()
    )
    screening.save(
        update_fields=[
            "is_suspect",
            "classification_status",
            "override_reason",
            "decided_by",
            "decided_at",
        ]
    )
    if override:
        _audit_override(screening, by=by)
    else:
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=by,
            target=f"health.screening:{screening.pk}",
            details={"confirmed": decision},
        )
    if screening.is_suspect and not screening.notified_at:
        _notify_now(screening, by=by)
    return screening


# --- Suspect-case workflow ------------------------------------------------------------------

STEP_LABELS = {
    "screened_at": gettext_lazy("the screening"),
    "isolated_at": gettext_lazy("the isolation"),
    "notified_at": gettext_lazy("the notification"),
    "referred_at": gettext_lazy("the referral"),
    "sampled_at": gettext_lazy("the sample"),
    "result_at": gettext_lazy("the lab result"),
}


def _step_guard(screening: Screening, *, field: str, requires: tuple[str, ...], at) -> dt.datetime:
    """Refuse a step that is already done, comes before what it requires, or is mistimed."""
    if not screening.is_suspect:
        raise WorkflowError(_("This traveller is not a suspect case."))
    if screening.outcome_at:
        raise WorkflowError(_("The case is closed (outcome recorded)."))
    if getattr(screening, field):
        raise WorkflowError(
            _("This step was already recorded on %s.")
            % timezone.localtime(getattr(screening, field)).strftime("%Y-%m-%d %H:%M")
        )
    for required in requires:
        if not getattr(screening, required):
            raise WorkflowError(
                _("Record %(required)s first.") % {"required": STEP_LABELS[required]}
            )
    at = at or timezone.now()
    errors: dict[str, list] = {}
    latest = max(
        [screening.screened_at] + [getattr(screening, r) for r in requires],
    )
    label = STEP_LABELS[
        next((r for r in requires if getattr(screening, r) == latest), "screened_at")
    ]
    _check_moment(at, "at", errors, not_before=latest, before_label=label)
    if errors:
        raise WorkflowError(errors["at"][0])
    return at


def _save_step(screening: Screening, *, by, step: str, fields: list[str], details=None) -> None:
    screening.save(update_fields=fields)
    audit_log(**_step_event(screening, by=by, step=step, details=details))


def _step_event(screening: Screening, *, by, step: str, details=None) -> dict:
    return {
        "action": AuditEvent.Action.DATA_CHANGE,
        "actor": by,
        "target": f"health.screening:{screening.pk}",
        "details": {"step": step, **(details or {})},
    }


@transaction.atomic
def screening_isolate(*, screening: Screening, by: User | None, at=None) -> Screening:
    screening.isolated_at = _step_guard(screening, field="isolated_at", requires=(), at=at)
    _save_step(screening, by=by, step="isolated", fields=["isolated_at"])
    return screening


def alert_recipients(point: Site) -> list[User]:
    """The point's supervisors (poe_supervisor whose scope holds the point) and the district
    surveillance officers (surveillance_officer scoped to the point's cercle or below; the
    region's officers when the district has none). Only users with an e-mail address."""
    return _recipients_by_point([point.pk])[point.pk]


def _recipients_by_point(point_ids: Iterable[int]) -> dict[int, list[User]]:
    """alert_recipients of each point, in the same few queries for any number of points."""
    point_ids = set(point_ids)
    if not point_ids:
        return {}
    points = Site.objects.select_related("area").filter(pk__in=point_ids)
    users = list(
        User.objects.filter(
            is_active=True, groups__name__in=["poe_supervisor", "surveillance_officer"]
        )
        .exclude(email="")
        .prefetch_related("groups", "scopes__area")
        .distinct()
    )
    return {point.pk: _recipients_of(point, users) for point in points}


def _recipients_of(point: Site, users: list[User]) -> list[User]:
    supervisors, district, regional = [], [], []
    for user in users:
        roles = {g.name for g in user.groups.all()}
        holding = [
            s
            for s in user.scopes.all()
            if s.site_id == point.pk or (s.area_id and point.area.path.startswith(s.area.path))
        ]
        if not holding:
            continue
        if "poe_supervisor" in roles:
            supervisors.append(user)
        if "surveillance_officer" in roles:
            if any(s.site_id or s.area.level >= AdminArea.Level.ADM2 for s in holding):
                district.append(user)
            elif any(s.area.level == AdminArea.Level.ADM1 for s in holding):
                regional.append(user)
    chosen = {u.pk: u for u in supervisors + (district or regional)}
    return sorted(chosen.values(), key=lambda u: u.pk)


def _alert_message(screening: Screening, language: str) -> tuple[str, str]:
    """Subject and body of the alert; no name, phone, document number or person key."""
    with translation.override(language):
        definition = screening.case_definition
        criteria = [definition.clause_label(code) for code in screening.matched_clauses]
        symptoms = ", ".join(str(Symptom(s).label) for s in screening.symptoms) or _("none")
        subject = _("[HBMM] Suspect case at %(point)s (%(ref)s)") % {
            "point": screening.point.name,
            "ref": screening.reference,
        }
        lines = [
            _("A suspect case was detected at a point of entry."),
            "",
            _("Point: %(name)s (%(code)s)")
            % {"name": screening.point.name, "code": screening.point.code},
            _("Screened at: %s UTC") % screening.screened_at.strftime("%Y-%m-%d %H:%M"),
            _("Record: %s") % screening.reference,
            _("Temperature: %s °C") % (screening.temperature or "-"),
            _("Symptoms: %s") % symptoms,
            _("Case definition: %s") % definition,
            _("Criteria met: %s")
            % ("; ".join(criteria) or _("none (classified suspect by the agent)")),
            "",
            _("Open the record: %s")
            % reverse("health:screening_detail", kwargs={"pk": screening.pk}),
            "",
            _(
                "This message holds no personal identifiers; they are in HBMM, for authorised users."
            ),
        ]
    return subject, "\n".join(lines)


def screening_alert_send(screening: Screening) -> int:
    """E-mail the alert to the recipients (after the transaction commits); returns how many."""
    recipients = alert_recipients(screening.point)
    _alerts_send([(screening, recipients)])
    return len(recipients)


def _alerts_send(alerts: list[tuple[Screening, list[User]]], *, by: User | None = None) -> None:
    """Write each screening's alert to its recipients, in their language, now; a worker
    sends them once the transaction commits (nothing leaves for a record that is rolled
    back; see screening/tasks.py)."""
    messages, references = [], []
    for screening, recipients in alerts:
        by_language: dict[str, list[str]] = {}
        for user in recipients:
            by_language.setdefault(user.language or "fr", []).append(user.email)
        for language, addresses in sorted(by_language.items()):
            subject, body = _alert_message(screening, language)
            messages.append({"subject": subject, "body": body, "to": sorted(addresses)})
        if by_language:
            references.append(screening.reference)
    if not messages:
        return

    def enqueue():
        alert_emails_enqueue(messages=messages, references=references, by=by)

    transaction.on_commit(enqueue)


def _notify_now(screening: Screening, *, by) -> None:
    """The automatic notification of a suspect, now (or at the screening time, when the
    device clock is a few minutes ahead of the server's)."""
    screening_notify(screening=screening, by=by, at=max(timezone.now(), screening.screened_at))


@transaction.atomic
def screening_notify(
    *, screening: Screening, by: User | None, at=None, send_email: bool = True
) -> Screening:
    """Notify the suspect case: the alert e-mail goes out and the notification time is kept."""
    screening.notified_at = _step_guard(screening, field="notified_at", requires=(), at=at)
    fields = ["notified_at"]
    if send_email:
        screening.alert_recipients = screening_alert_send(screening)
        screening.alert_sent_at = timezone.now()
        fields += ["alert_recipients", "alert_sent_at"]
    _save_step(
        screening,
        by=by,
        step="notified",
        fields=fields,
        details={"recipients": screening.alert_recipients},
    )
    return screening


@transaction.atomic
def screening_refer(
    *, screening: Screening, by: User | None, facility: Site, transport: str, at=None
) -> Screening:
    at = _step_guard(screening, field="referred_at", requires=("notified_at",), at=at)
    if not facility.kinds.filter(code=SiteKind.HEALTH_FACILITY).exists():
        raise WorkflowError(_("The referral site must be a health facility."))
    if transport not in Screening.Transport.values:
        raise WorkflowError(_("Choose a transport."))
    screening.referred_at, screening.referral_facility = at, facility
    screening.referral_transport = transport
    _save_step(
        screening,
        by=by,
        step="referred",
        fields=["referred_at", "referral_facility", "referral_transport"],
        details={"facility": facility.code, "transport": transport},
    )
    return screening


@transaction.atomic
def screening_sample(*, screening: Screening, by: User | None, lab: Site, at=None) -> Screening:
    at = _step_guard(screening, field="sampled_at", requires=("notified_at",), at=at)
    if not lab.kinds.filter(code=SiteKind.LABORATORY).exists():
        raise WorkflowError(_("The sample must go to a laboratory."))
    screening.sampled_at, screening.sample_lab = at, lab
    _save_step(
        screening,
        by=by,
        step="sampled",
        fields=["sampled_at", "sample_lab"],
        details={"lab": lab.code},
    )
    return screening


@transaction.atomic
def screening_result(*, screening: Screening, by: User | None, result: str, at=None) -> Screening:
    at = _step_guard(screening, field="result_at", requires=("sampled_at",), at=at)
    if result not in Screening.LabResult.values:
        raise WorkflowError(_("The result must be positive, negative or inconclusive."))
    screening.result_at, screening.lab_result = at, result
    _save_step(
        screening,
        by=by,
        step="resulted",
        fields=["result_at", "lab_result"],
        details={"result": result},
    )
    return screening


@transaction.atomic
def screening_close(*, screening: Screening, by: User | None, outcome: str, at=None) -> Screening:
    """Record the outcome; closes the case. Needs the notification; a sample without a result
    must wait for the result."""
    at = _step_guard(screening, field="outcome_at", requires=("notified_at",), at=at)
    if outcome not in Screening.Outcome.values:
        raise WorkflowError(_("Choose an outcome."))
    if screening.sampled_at and not screening.result_at and outcome != Screening.Outcome.DIED:
        raise WorkflowError(_("A sample was taken: record the lab result first."))
    if screening.result_at and at < screening.result_at:
        raise WorkflowError(_("The outcome cannot be before the lab result."))
    screening.outcome_at, screening.outcome = at, outcome
    _save_step(
        screening,
        by=by,
        step="closed",
        fields=["outcome_at", "outcome"],
        details={"outcome": outcome},
    )
    return screening


# --- Follow-up ------------------------------------------------------------------------------


@transaction.atomic
def followup_start(*, screening: Screening, by: User | None) -> Screening:
    """Follow the traveller for 14 days after the screening."""
    if screening.follow_up_until:
        raise WorkflowError(_("The follow-up has already started."))
    screening.follow_up_until = screening.screened_at.date() + dt.timedelta(days=FOLLOW_UP_DAYS)
    _save_step(screening, by=by, step="follow_up", fields=["follow_up_until"])
    return screening


@transaction.atomic
def followup_visit_add(
    *,
    screening: Screening,
    by: User | None,
    visited_on: dt.date,
    symptoms: list[str] = (),
    temperature: Decimal | None = None,
    note: str = "",
) -> FollowUpVisit:
    if not screening.follow_up_until:
        raise WorkflowError(_("Start the follow-up first."))
    errors: dict[str, list] = {}
    if not screening.screened_at.date() <= visited_on <= screening.follow_up_until:
        errors["visited_on"] = [
            _("The visit must fall within the follow-up (%(start)s to %(end)s).")
            % {"start": screening.screened_at.date(), "end": screening.follow_up_until}
        ]
    elif visited_on > timezone.now().date():
        errors["visited_on"] = [_("The date is in the future.")]
    _validate_traveller({"temperature": temperature, "symptoms": list(symptoms)}, errors)
    if errors:
        raise ValidationError(errors)
    visit = FollowUpVisit.objects.create(
        screening=screening,
        visited_on=visited_on,
        symptoms=list(symptoms),
        temperature=temperature,
        note=note,
        by=by,
    )
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"health.screening:{screening.pk}",
        details={"step": "follow_up_visit", "visited_on": str(visited_on)},
    )
    return visit
