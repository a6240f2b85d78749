"""Writes of screening records: a screening checked, classified and decided (one, a batch
from the intake pipeline through `screenings_save_batch`, an edit), the agent's decision.
Every function is one transaction and writes the audit trail. The case definitions are in
`definitions.py`, the suspect-case workflow and its alerts in `workflow.py`, follow-up in
`followup.py`.

Size: over 500 lines on purpose: a new screening is checked, classified and decided by one code
path (`_new_screening`, `_Checks`) whether it comes alone, in a batch of a million-row file or
as an edit; splitting those apart is how the paths would drift.
"""

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.scope import sites_in_scope
from hbmm.accounts.services import audit_log, audit_log_many
from hbmm.crypto import pseudonym
from hbmm.db import concrete_columns, dict_rows, insert_rows
from hbmm.health.screening.classification import (
    Facts,
    classify,
)
from hbmm.health.screening.definitions import (
    case_definition_default_ensure,
    case_definition_for,
    case_definitions_active,
    definition_in_force,
)
from hbmm.health.screening.models import (
    AGE_MAX,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    AgeGroup,
    CaseDefinition,
    Conveyance,
    Screening,
    Sex,
    Symptom,
)
from hbmm.health.screening.summaries import key_of, screening_days_refresh
from hbmm.health.screening.workflow import (
    WorkflowError,
    alerts_send,
    moment_check,
    notify_now,
    recipients_by_point,
    step_event,
)
from hbmm.intake.mappers import BatchContext, BatchResult
from hbmm.places.countries import is_country
from hbmm.places.models import Site, SiteKind

POINT_KINDS = (
    SiteKind.BORDER_CROSSING_POINT,
    SiteKind.INTERNAL_TRANSIT_POINT,
    SiteKind.SANITARY_CORDON,
)


# --- Screening ------------------------------------------------------------------------------


def person_key_for(*, name: str = "", phone: str = "", document_number: str = "") -> str:
    """Pseudonymous key: the same document (or name and phone) gives the same key."""
    if document_number.strip():
        return pseudonym("doc", document_number.replace(" ", ""))
    if name.strip():
        return pseudonym("name", name, phone.replace(" ", ""))
    return "T-" + uuid.uuid4().hex[:12].upper()


# Read once: a Choices class builds its lists of values on every access.
SYMPTOM_CODES = frozenset(Symptom.values)
SEX_CODES = frozenset(Sex.values)
CONVEYANCE_CODES = frozenset(["", *Conveyance.values])


def traveller_validate(values: dict, errors: dict) -> None:
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
        found = definition_in_force(self.definitions, moment)
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
    "follow_up_closed_on",
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
    moment_check(screened_at, "screened_at", errors, now=checks.now)
    traveller_validate(traveller, errors)
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
    Screenings by the thousand (file imports) go through `screenings_save_batch`.
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
    screening_days_refresh(keys=[key_of(screening)])
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=agent,
        target=f"health.screening:{screening.pk}",
        details={"created": True, "suspect": screening.is_suspect},
    )
    if override:
        _audit_override(screening, by=agent)
    if screening.is_suspect and notify:
        notify_now(screening, by=agent)
    return screening


@dataclass(frozen=True, slots=True)
class ScreeningRow:
    """One screening form as its mapper cleaned it (`ScreeningMapper.clean`): a row of
    `screenings_save_batch`. `traveller` holds the TRAVELLER_FIELDS values; `existing` is the
    screening the submission's previous version made (an edit), with `submission`, the
    edit's model instance."""

    submission_id: int
    point: Site
    screened_at: dt.datetime
    agent_name: str = ""
    name: str = ""
    phone: str = ""
    document_number: str = ""
    decision: str = ""
    override_reason: str = ""
    traveller: dict = dataclasses.field(default_factory=dict)
    existing: Screening | None = None
    submission: object = None


def screenings_save_batch(rows: Sequence[ScreeningRow], *, ctx: BatchContext) -> BatchResult:
    """The screening forms of one batch (intake's contract, `intake.mappers.BatchContext`):
    an edit updates the screening its previous version made (`screening_update`, attributed to
    `ctx.by`), the new ones are recorded together (`_screenings_create_many`, the agent being
    `ctx.submitter`). The rows were cleaned by the mapper, points in the submitter's scope; no
    alert goes out for demonstration data."""
    notify = not ctx.is_demo
    result = BatchResult()
    new = []
    for row in rows:
        if row.existing is None:
            new.append(
                {
                    "point": row.point,
                    "submission_id": row.submission_id,
                    "screened_at": row.screened_at,
                    "agent_name": row.agent_name,
                    "name": row.name,
                    "phone": row.phone,
                    "document_number": row.document_number,
                    "decision": row.decision,
                    "override_reason": row.override_reason,
                    **row.traveller,
                }
            )
            continue
        screening_update(
            screening=row.existing,
            by=ctx.by,  # the edit's sender, or the reviewer who corrected it
            point=row.point,
            screened_at=row.screened_at,
            submission=row.submission,
            notify=notify,
            name=row.name,
            phone=row.phone,
            document_number=row.document_number,
            decision=row.decision,
            override_reason=row.override_reason,
            **row.traveller,
        )
        result.updated += 1
    result.created = len(_screenings_create_many(rows=new, by=ctx.submitter, notify=notify))
    return result


@transaction.atomic
def _screenings_create_many(
    *,
    rows: Sequence[dict],
    by: User | None = None,
    notify: bool = True,
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
    # The points were checked against the agent's scope by the mapper (the batch's contract).
    checks = _Checks({row["point"] for row in rows}, agent=by, check_scope=False)
    created = [_new_screening(row, agent=by, checks=checks) for row in rows]
    notified = [values for values, _o in created if values["is_suspect"]] if notify else []
    recipients = recipients_by_point({values["point"].pk for values in notified})
    now = timezone.now()
    for values in notified:
        values["notified_at"] = max(now, values["screened_at"])  # as notify_now
        values["alert_recipients"] = len(recipients[values["point"].pk])
        values["alert_sent_at"] = now
    columns = [c for c in concrete_columns(Screening) if c not in LATER_STEPS]
    insert_rows(Screening, columns, dict_rows(Screening, columns, [v for v, _o in created]))
    screening_days_refresh(
        keys={(v["point"].pk, v["screened_at"].astimezone(dt.UTC).date()) for v, _o in created}
    )
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
                step_event(
                    screening,
                    by=by,
                    step="notified",
                    details={"recipients": len(recipients[screening.point_id])},
                )
            )
            alerts.append((screening, recipients[screening.point_id]))
    if events:
        audit_log_many(events)
    alerts_send(alerts, by=by)


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
    traveller_validate(traveller, errors)
    moment_check(screened_at, "screened_at", errors)
    if screening.isolated_at and (
        (point is not None and point.pk != screening.point_id)
        or (screened_at is not None and screened_at != screening.screened_at)
    ):
        errors.setdefault("point", []).append(
            _("The suspect-case workflow has started: the point and time cannot change.")
        )
    if errors:
        raise ValidationError(errors)
    before = key_of(screening)  # a moved screening leaves its old point and day
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
    screening_days_refresh(keys=[before, key_of(screening)])
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"health.screening:{screening.pk}",
        details={"edited": True, "suspect": screening.is_suspect},
    )
    if override:
        _audit_override(screening, by=by)
    if screening.is_suspect and not screening.notified_at and notify:
        notify_now(screening, by=by)
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
    *, screening: Screening, by: User | None, decision: str, reason: str = "", notify: bool = True
) -> Screening:
    """The agent confirms the automatic classification or overrides it (with a reason); a
    suspect is notified (the alert e-mail goes out) unless `notify` is False (demonstration
    data), which records the decision only."""
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
    screening_days_refresh(keys=[key_of(screening)])
    if override:
        _audit_override(screening, by=by)
    else:
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=by,
            target=f"health.screening:{screening.pk}",
            details={"confirmed": decision},
        )
    if notify and screening.is_suspect and not screening.notified_at:
        notify_now(screening, by=by)
    return screening
