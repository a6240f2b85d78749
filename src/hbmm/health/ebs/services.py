"""Writes for community event-based surveillance: focal points, signals (triage, merge,
verification) and events. One transaction each, audited; forbidden transitions raise
WorkflowError with a clear message."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import audit_log
from hbmm.health.ebs.checks import check_signal as _check_signal
from hbmm.health.ebs.checks import emergence_check
from hbmm.health.ebs.models import Bottleneck, FocalPoint, HealthEvent, Signal
from hbmm.health.ebs.performance import missed_without_review
from hbmm.health.steps import CLOCK_SKEW, WorkflowError
from hbmm.intake.mappers import BatchContext, BatchResult
from hbmm.places.models import AdminArea, Site

Status = Signal.Status


def _audit(by, target: str, **details) -> None:
    audit_log(action=AuditEvent.Action.DATA_CHANGE, actor=by, target=target, details=details)


@transaction.atomic
def focal_point_register(
    *,
    key: str,
    name: str,
    area: AdminArea,
    phone: str = "",
    site: Site | None = None,
    trained_on: dt.date | None = None,
    by: User | None = None,
) -> FocalPoint:
    """Register (or update) a community focal point by key (the administration, the demo)."""
    key = key.strip().upper()
    if not key:
        raise ValidationError({"key": _("This field is required.")})
    defaults = {"name": name, "phone": phone, "area": area, "site": site}
    if trained_on is not None:
        defaults["trained_on"] = trained_on
    focal_point, created = FocalPoint.objects.update_or_create(key=key, defaults=defaults)
    _audit(by, f"health.focalpoint:{focal_point.pk}", created=created, key=key)
    return focal_point


@transaction.atomic
def signal_create(
    *,
    reporter: FocalPoint,
    reported_at: dt.datetime,
    kind: str,
    site: Site | None = None,
    area: AdminArea | None = None,
    detected_at: dt.datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    description: str = "",
    people_affected: int | None = None,
    emerged_on: dt.date | None = None,
    emergence_kind: str = "",
    submission=None,
    by: User | None = None,
) -> Signal:
    """Record a signal from a registered focal point; the place is a site or an admin area;
    the date of emergence, when the focal point gives one, is kept as reported."""
    errors: dict[str, list] = {}
    values = {
        "reported_at": reported_at,
        "detected_at": detected_at,
        "latitude": latitude,
        "longitude": longitude,
        "people_affected": people_affected,
        "kind": kind,
    }
    _check_signal(values, errors)
    emergence_check(
        emerged_on=emerged_on,
        kind=emergence_kind,
        detected_at=detected_at,
        reported_at=reported_at,
        errors=errors,
    )
    if not reporter.is_active:
        errors.setdefault("reporter", []).append(_("This focal point is no longer active."))
    if site is None and area is None:
        errors.setdefault("place", []).append(_("Give a site or a P-code."))
    if site is not None and area is not None and not site.area.path.startswith(area.path):
        errors.setdefault("place", []).append(_("The site is not in that admin area."))
    if errors:
        raise ValidationError(errors)
    signal = Signal.objects.create(
        reporter=reporter,
        reported_at=reported_at,
        detected_at=detected_at,
        site=site,
        area=site.area if site is not None else area,
        latitude=latitude,
        longitude=longitude,
        kind=kind,
        description=description,
        people_affected=people_affected,
        emerged_on=emerged_on,
        emergence_kind=emergence_kind if emerged_on else "",
        submission=submission,
    )
    _audit(by, f"health.signal:{signal.pk}", created=True, kind=kind)
    return signal


@dataclass(frozen=True, slots=True)
class SignalRow:
    """One signal form as its mapper cleaned it (`SignalMapper.clean`): a row of
    `signals_save_batch`. `existing` is the signal the submission's previous version made (an
    edit)."""

    submission: object
    reporter: FocalPoint
    reported_at: dt.datetime
    kind: str
    site: Site | None = None
    area: AdminArea | None = None
    detected_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str = ""
    people_affected: int | None = None
    emerged_on: dt.date | None = None
    emergence_kind: str = ""
    existing: Signal | None = None

    def values(self) -> dict:
        return {
            "site": self.site,
            "area": self.area,
            "reported_at": self.reported_at,
            "detected_at": self.detected_at,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "kind": self.kind,
            "description": self.description,
            "people_affected": self.people_affected,
            "emerged_on": self.emerged_on,
            "emergence_kind": self.emergence_kind,
        }


@transaction.atomic
def signals_save_batch(rows: Sequence[SignalRow], *, ctx: BatchContext) -> BatchResult:
    """The signal forms of one batch (intake's contract, `intake.mappers.BatchContext`): a new
    signal is recorded as its sender's (`ctx.submitter`), an edit updates the signal its
    previous version made as `ctx.by`'s (the edit's sender, or the reviewer who corrected
    it). Signals come a few a day: each is checked and written on its own."""
    result = BatchResult()
    for row in rows:
        if row.existing is not None:
            signal_update(signal=row.existing, by=ctx.by, submission=row.submission, **row.values())
            result.updated += 1
        else:
            signal_create(
                by=ctx.submitter,
                submission=row.submission,
                reporter=row.reporter,
                **row.values(),
            )
            result.created += 1
    return result


@transaction.atomic
def signal_update(*, signal: Signal, by: User | None, submission=None, **values) -> Signal:
    """Apply an edited report to a signal still to triage."""
    if signal.status != Status.NEW:
        raise WorkflowError(_("The signal has been triaged; the report can no longer change."))
    errors: dict[str, list] = {}
    merged = {
        "reported_at": values.get("reported_at", signal.reported_at),
        "detected_at": values.get("detected_at", signal.detected_at),
        "latitude": values.get("latitude", signal.latitude),
        "longitude": values.get("longitude", signal.longitude),
        "people_affected": values.get("people_affected", signal.people_affected),
        "kind": values.get("kind", signal.kind),
    }
    _check_signal(merged, errors)
    emergence_check(
        emerged_on=values.get("emerged_on", signal.emerged_on),
        kind=values.get("emergence_kind", signal.emergence_kind),
        detected_at=merged["detected_at"],
        reported_at=merged["reported_at"],
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    site, area = values.pop("site", None), values.pop("area", None)
    for field, value in values.items():
        setattr(signal, field, value)
    if site is not None or area is not None:
        signal.site = site
        signal.area = site.area if site is not None else area
    if submission is not None:
        signal.submission = submission
    signal.save()
    _audit(by, f"health.signal:{signal.pk}", edited=True)
    return signal


def _moment(
    at, signal: Signal, *, after: dt.datetime, after_label: str, field: str = "at"
) -> dt.datetime:
    """`at` (now when not given) checked against the step before; a refusal names `field` (the
    form's field), so that a field form breaking the order is quarantined with its name."""
    at = at or timezone.now()
    if at > timezone.now() + CLOCK_SKEW:
        raise WorkflowError({field: _("The time is in the future.")})
    if at < after:
        raise WorkflowError(
            {
                field: _("The time is before %(what)s (%(at)s).")
                % {"what": after_label, "at": timezone.localtime(after).strftime("%Y-%m-%d %H:%M")}
            }
        )
    return at


@transaction.atomic
def signal_triage(
    *,
    signal: Signal,
    by: User | None,
    decision: str,
    note: str = "",
    duplicate_of: Signal | None = None,
    at: dt.datetime | None = None,
) -> Signal:
    """Triage a new signal: "discard", "duplicate" (of `duplicate_of`) or "verify"."""
    if decision == "duplicate":
        return signal_merge(signal=signal, into=duplicate_of, by=by, note=note, at=at)
    if signal.status != Status.NEW:
        raise WorkflowError(
            _("Only a new signal can be triaged (this one is %s).") % signal.get_status_display()
        )
    targets = {"discard": Status.DISCARDED, "verify": Status.TO_VERIFY}
    if decision not in targets:
        raise WorkflowError(_("Choose discard, duplicate or to verify."))
    if decision == "discard" and not note.strip():
        raise ValidationError({"note": _("Say why the signal is discarded.")})
    signal.triaged_at = _moment(at, signal, after=signal.reported_at, after_label=_("the report"))
    signal.status, signal.triaged_by, signal.triage_note = targets[decision], by, note
    signal.save(update_fields=["status", "triaged_at", "triaged_by", "triage_note"])
    _audit(by, f"health.signal:{signal.pk}", step="triage", decision=decision)
    return signal


@transaction.atomic
def signal_merge(
    *,
    signal: Signal,
    into: Signal | None,
    by: User | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Signal:
    """Merge `signal` into the signal it duplicates: it is closed as a duplicate, its own
    duplicates move to `into`, and `into` keeps the earliest detection time."""
    if into is None:
        raise ValidationError({"duplicate_of": _("Choose the signal this one duplicates.")})
    while into.duplicate_of_id:  # merge into the original, not into another duplicate
        into = into.duplicate_of
    if into.pk == signal.pk:
        raise WorkflowError(_("A signal cannot duplicate itself."))
    if signal.status not in (Status.NEW, Status.TO_VERIFY):
        raise WorkflowError(
            _("Only a new signal or one to verify can be merged (this one is %s).")
            % signal.get_status_display()
        )
    if into.status in (Status.DISCARDED,):
        raise WorkflowError(_("The signal chosen as original was discarded."))
    signal.triaged_at = _moment(at, signal, after=signal.reported_at, after_label=_("the report"))
    signal.status, signal.duplicate_of = Status.DUPLICATE, into
    signal.triaged_by, signal.triage_note = by, note
    signal.save(update_fields=["status", "duplicate_of", "triaged_at", "triaged_by", "triage_note"])
    Signal.objects.filter(duplicate_of=signal).update(duplicate_of=into)
    earliest = min(
        (d for d in (signal.detected_at, signal.reported_at, into.detected_at) if d),
        default=None,
    )
    if earliest and (into.detected_at is None or earliest < into.detected_at):
        into.detected_at = min(earliest, into.reported_at)
        into.save(update_fields=["detected_at"])
    _audit(by, f"health.signal:{signal.pk}", step="merge", into=into.pk)
    return signal


@transaction.atomic
def signal_verify(
    *,
    signal: Signal,
    by: User | None,
    is_true: bool,
    verifier_name: str = "",
    note: str = "",
    at: dt.datetime | None = None,
    emerged_on: dt.date | None = None,
    emergence_kind: str = "",
    submission=None,
) -> Signal:
    """Record the verification of a signal triaged "to verify": true or false, and, for a true
    one, the date of emergence as the officer established it (it replaces the reported one).
    Refusals name the field (`signal`, `verified_at`, `emerged_on`): the web page and the
    field form (`submission`, its intake record) share them."""
    if signal.status != Status.TO_VERIFY:
        raise WorkflowError(
            {
                "signal": _("Only a signal triaged 'to verify' can be verified (this one is %s).")
                % signal.get_status_display()
            }
        )
    signal.verified_at = _moment(
        at,
        signal,
        after=signal.triaged_at or signal.reported_at,
        after_label=_("the triage"),
        field="verified_at",
    )
    fields = ["status", "verified_at", "verified_by", "verifier_name", "verification_note"]
    if emerged_on is not None:
        errors: dict[str, list] = {}
        emergence_check(
            emerged_on=emerged_on,
            kind=emergence_kind,
            detected_at=signal.detected_at,
            reported_at=signal.reported_at,
            errors=errors,
        )
        if errors:
            raise WorkflowError(errors)
        signal.emerged_on, signal.emergence_kind = emerged_on, emergence_kind
        signal.emergence_estimated = True
        fields += ["emerged_on", "emergence_kind", "emergence_estimated"]
    signal.status = Status.VERIFIED if is_true else Status.NOT_CONFIRMED
    signal.verified_by = by
    signal.verifier_name = verifier_name or (by.get_username() if by else "")
    signal.verification_note = note
    if submission is not None:
        signal.verification_submission = submission
        fields.append("verification_submission")
    signal.save(update_fields=fields)
    _audit(
        by,
        f"health.signal:{signal.pk}",
        step="verify",
        is_true=is_true,
        emerged_on=emerged_on.isoformat() if emerged_on else None,
        submission=getattr(submission, "pk", None),
    )
    return signal


@transaction.atomic
def event_open(
    *,
    signal: Signal,
    by: User | None,
    risk: str,
    responsible: str,
    actions: str = "",
    at: dt.datetime | None = None,
) -> HealthEvent:
    """Open an event from a signal verified true."""
    if signal.status != Status.VERIFIED:
        raise WorkflowError(_("Only a signal verified true becomes an event."))
    if HealthEvent.objects.filter(signal=signal).exists():
        raise WorkflowError(_("This signal already has an event."))
    if risk not in HealthEvent.Risk.values:
        raise ValidationError({"risk": _("Choose a risk level.")})
    if not responsible.strip():
        raise ValidationError({"responsible": _("Name the person responsible.")})
    opened_at = _moment(at, signal, after=signal.verified_at, after_label=_("the verification"))
    event = HealthEvent.objects.create(
        signal=signal,
        risk=risk,
        responsible=responsible.strip(),
        actions=actions,
        opened_at=opened_at,
        opened_by=by,
    )
    _audit(by, f"health.healthevent:{event.pk}", step="open", risk=risk)
    return event


@transaction.atomic
def event_update(
    *,
    event: HealthEvent,
    by: User | None,
    risk: str | None = None,
    actions: str | None = None,
    responsible: str | None = None,
    response_at: dt.datetime | None = None,
) -> HealthEvent:
    """Change the risk, actions or responsible. `response_at` records the early response's
    completion directly, for an event whose response is not followed action by action; once
    the checklist has an action (`early_response.response_action_record`), it decides."""
    if event.status == HealthEvent.Status.CLOSED:
        raise WorkflowError(_("The event is closed."))
    changes = {}
    if risk is not None:
        if risk not in HealthEvent.Risk.values:
            raise ValidationError({"risk": _("Choose a risk level.")})
        changes["risk"] = risk
    if actions is not None:
        changes["actions"] = actions
    if responsible is not None:
        if not responsible.strip():
            raise ValidationError({"responsible": _("Name the person responsible.")})
        changes["responsible"] = responsible.strip()
    if response_at is not None:
        if event.response_at:
            raise WorkflowError(_("The early response was already recorded."))
        if event.response_actions.exists():
            raise WorkflowError(_("The early response follows its checklist of actions."))
        changes["response_at"] = _moment(
            response_at, event.signal, after=event.opened_at, after_label=_("the event's opening")
        )
    for field, value in changes.items():
        setattr(event, field, value)
    event.save()
    _audit(by, f"health.healthevent:{event.pk}", step="update", fields=sorted(changes))
    return event


@transaction.atomic
def event_close(
    *, event: HealthEvent, by: User | None, at: dt.datetime | None = None
) -> HealthEvent:
    if event.status == HealthEvent.Status.CLOSED:
        raise WorkflowError(_("The event is already closed."))
    event.closed_at = _moment(
        at, event.signal, after=event.response_at or event.opened_at, after_label=_("the response")
    )
    # The 7-1-7 review: a missed target is not closed without saying why it was missed.
    if unreviewed := missed_without_review(event, now=event.closed_at):
        raise WorkflowError(
            _("Missed target without a bottleneck review: %(targets)s. Record it first.")
            % {"targets": ", ".join(str(Bottleneck.Target(t).label) for t in unreviewed)}
        )
    event.status = HealthEvent.Status.CLOSED
    event.save(update_fields=["closed_at", "status"])
    _audit(by, f"health.healthevent:{event.pk}", step="close")
    return event
