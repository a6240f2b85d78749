"""Writes of community feedback: log an entry, code it, answer, refer, close, mark it
publishable. One transaction each, audited (never with the text: the audit log is not a place
for personal data); a step the workflow does not allow raises WorkflowError saying why.

Workflow:

    open ──answer──> answered ──close──> closed
     │  └─refer──> referred ──answer──┘     ^
     └──────────────close─────────────────────┘   (referred -> closed too)

An entry is coded (type and topic) before it is answered, referred or closed; a closed entry
changes no more. Only a coded entry that is not "restricted" may be marked publishable.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.scope import EVERYTHING
from hbmm.accounts.services import audit_log
from hbmm.feedback.models import Feedback
from hbmm.health.ebs.selectors import signals_for
from hbmm.intake.mappers import BatchContext, BatchResult, Row
from hbmm.places.models import AdminArea, Site

Status = Feedback.Status
CLOCK_SKEW = dt.timedelta(minutes=5)
TEXT_MAX = 4000

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.OPEN: (Status.ANSWERED, Status.REFERRED, Status.CLOSED),
    Status.REFERRED: (Status.ANSWERED, Status.CLOSED),
    Status.ANSWERED: (Status.CLOSED,),
    Status.CLOSED: (),
}


class WorkflowError(ValidationError):
    """A workflow step that is not allowed now; the message says why."""


def _audit(by, feedback: Feedback, **details) -> None:
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"feedback.feedback:{feedback.pk}",
        details=details,
    )


def _moment(at: dt.datetime | None, *, after: dt.datetime, what: str) -> dt.datetime:
    at = at or timezone.now()
    if at > timezone.now() + CLOCK_SKEW:
        raise WorkflowError(_("The time is in the future."))
    if at < after:
        raise WorkflowError(
            _("The time is before %(what)s (%(at)s).")
            % {"what": what, "at": timezone.localtime(after).strftime("%Y-%m-%d %H:%M")}
        )
    return at


def _check_move(feedback: Feedback, target: str) -> None:
    """Refuse a transition the workflow does not allow (nothing is changed)."""
    if target not in TRANSITIONS[feedback.status]:
        raise WorkflowError(
            _("An entry that is %(status)s cannot become %(target)s.")
            % {"status": feedback.get_status_display(), "target": Status(target).label}
        )
    if not feedback.is_coded:
        raise WorkflowError(_("Code the entry (type and topic) first."))


def _signal_in_scope(signal_id: int | None, by) -> int | None:
    """The id of a community signal the writer may see (through the health selectors)."""
    if signal_id is None:
        return None
    if not signals_for(EVERYTHING if by is None else by).filter(pk=signal_id).exists():
        raise ValidationError(
            {"signal": _("No community signal %(id)s in your scope.") % {"id": signal_id}}
        )
    return signal_id


def _check_choices(values: dict, errors: dict) -> None:
    checks = {
        "channel": Feedback.Channel,
        "source_type": Feedback.SourceType,
        "kind": Feedback.Kind,
        "topic": Feedback.Topic,
        "sensitivity": Feedback.Sensitivity,
    }
    for field, choices in checks.items():
        value = values.get(field)
        if value not in (None, "") and value not in choices.values:
            errors.setdefault(field, []).append(
                _("“%(value)s” is not one of %(allowed)s.")
                % {"value": value, "allowed": ", ".join(choices.values)}
            )


@transaction.atomic
def feedback_log(
    *,
    received_at: dt.datetime,
    channel: str,
    text: str,
    site: Site | None = None,
    area: AdminArea | None = None,
    source_type: str = Feedback.SourceType.UNKNOWN,
    name_consent: bool = False,
    source_name: str = "",
    kind: str = "",
    topic: str = "",
    sensitivity: str = Feedback.Sensitivity.NORMAL,
    signal_id: int | None = None,
    submission_id: int | None = None,
    by: User | None = None,
) -> Feedback:
    """Log what was received; the place is a site or an admin area. A type and topic given at
    intake (a hotline operator may code on the call) count as the coding."""
    errors: dict[str, list] = {}
    text = (text or "").strip()
    if not text:
        errors.setdefault("text", []).append(_("Write what was said."))
    elif len(text) > TEXT_MAX:
        errors.setdefault("text", []).append(_("At most %(n)s characters.") % {"n": TEXT_MAX})
    if received_at is None:
        errors.setdefault("received_at", []).append(_("This field is required."))
    elif received_at > timezone.now() + CLOCK_SKEW:
        errors.setdefault("received_at", []).append(_("The time is in the future."))
    _check_choices(
        {
            "channel": channel or "-",
            "source_type": source_type,
            "kind": kind,
            "topic": topic,
            "sensitivity": sensitivity,
        },
        errors,
    )
    source_name = (source_name or "").strip()
    if source_name and not name_consent:
        errors.setdefault("source_name", []).append(
            _("A name is kept only when the person consented to give it.")
        )
    if site is None and area is None:
        errors.setdefault("place", []).append(_("Give a site or a P-code."))
    if site is not None and area is not None and not site.area.path.startswith(area.path):
        errors.setdefault("place", []).append(_("The site is not in that admin area."))
    if errors:
        raise ValidationError(errors)
    signal_id = _signal_in_scope(signal_id, by)
    place = site.area if site is not None else area
    assert place is not None  # checked above
    coded = bool(kind and topic)
    feedback = Feedback.objects.create(
        received_at=received_at,
        channel=channel,
        site=site,
        area=place,
        source_type=source_type or Feedback.SourceType.UNKNOWN,
        name_consent=name_consent,
        source_name=source_name,
        text=text,
        kind=kind or "",
        topic=topic or "",
        sensitivity=sensitivity or Feedback.Sensitivity.NORMAL,
        coded_at=received_at if coded else None,  # coded as it was received (on the call)
        coded_by=by if coded else None,
        signal_id=signal_id,
        submission_id=submission_id,
    )
    _audit(by, feedback, step="log", channel=channel, coded=coded)
    return feedback


@transaction.atomic
def feedback_code(
    *,
    feedback: Feedback,
    by: User | None,
    kind: str,
    topic: str,
    sensitivity: str = Feedback.Sensitivity.NORMAL,
    signal_id: int | None = None,
    at: dt.datetime | None = None,
) -> Feedback:
    """Code (or recode) an entry: type, topic, sensitivity and the community signal it is.
    `at` (default now) is when it was coded: a report for an earlier date counts it as not
    coded yet."""
    if feedback.status == Status.CLOSED:
        raise WorkflowError(_("The entry is closed."))
    errors: dict[str, list] = {}
    for field, value in (("kind", kind), ("topic", topic)):
        if not value:
            errors.setdefault(field, []).append(_("This field is required."))
    _check_choices({"kind": kind, "topic": topic, "sensitivity": sensitivity}, errors)
    if errors:
        raise ValidationError(errors)
    signal_id = _signal_in_scope(signal_id, by)
    coded_at = _moment(at, after=feedback.received_at, what=_("the reception"))
    feedback.kind, feedback.topic, feedback.sensitivity = kind, topic, sensitivity
    feedback.signal_id = signal_id
    feedback.coded_at, feedback.coded_by = coded_at, by
    fields = ["kind", "topic", "sensitivity", "signal", "coded_at", "coded_by"]
    if sensitivity == Feedback.Sensitivity.RESTRICTED and feedback.publishable:
        feedback.publishable = False  # a restricted entry is never published
        fields.append("publishable")
    feedback.save(update_fields=fields)
    _audit(by, feedback, step="code", kind=kind, topic=topic, sensitivity=sensitivity)
    return feedback


@transaction.atomic
def feedback_answer(
    *,
    feedback: Feedback,
    by: User | None,
    answer: str,
    responder: str = "",
    at: dt.datetime | None = None,
) -> Feedback:
    """Record the answer given to the person (and who gave it)."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer given.")})
    if len(answer) > TEXT_MAX:
        raise ValidationError({"answer": _("At most %(n)s characters.") % {"n": TEXT_MAX}})
    _check_move(feedback, Status.ANSWERED)
    feedback.answered_at = _moment(at, after=feedback.received_at, what=_("the reception"))
    feedback.status = Status.ANSWERED
    feedback.answer, feedback.answered_by = answer, by
    feedback.responder = (responder or "").strip()[:150] or (by.get_username() if by else "")
    feedback.save(update_fields=["status", "answer", "answered_at", "answered_by", "responder"])
    _audit(by, feedback, step="answer")
    return feedback


@transaction.atomic
def feedback_refer(
    *, feedback: Feedback, by: User | None, to: str, at: dt.datetime | None = None
) -> Feedback:
    """Refer the entry to who can answer it (a health district, a service, a partner)."""
    to = (to or "").strip()
    if not to:
        raise ValidationError({"referred_to": _("Say to whom the entry is referred.")})
    _check_move(feedback, Status.REFERRED)
    feedback.referred_at = _moment(at, after=feedback.received_at, what=_("the reception"))
    feedback.status = Status.REFERRED
    feedback.referred_to = to[:200]
    feedback.save(update_fields=["status", "referred_to", "referred_at"])
    _audit(by, feedback, step="refer")
    return feedback


@transaction.atomic
def feedback_close(
    *, feedback: Feedback, by: User | None, at: dt.datetime | None = None
) -> Feedback:
    _check_move(feedback, Status.CLOSED)
    after = feedback.answered_at or feedback.referred_at or feedback.received_at
    feedback.closed_at = _moment(at, after=after, what=_("the last step"))
    feedback.status = Status.CLOSED
    feedback.save(update_fields=["status", "closed_at"])
    _audit(by, feedback, step="close")
    return feedback


@transaction.atomic
def feedback_publishable_set(*, feedback: Feedback, by: User | None, publishable: bool) -> Feedback:
    """A reviewer's decision that the text and the answer may (or may no longer) leave HBMM:
    in the tables, their exports and the API. Needs `feedback.publish_feedback`."""
    if by is not None and not by.has_perm("feedback.publish_feedback"):
        raise WorkflowError(_("Only a reviewer may mark feedback publishable."))
    if publishable:
        if not feedback.is_coded:
            raise WorkflowError(_("Code the entry (type and topic) first."))
        if feedback.sensitivity == Feedback.Sensitivity.RESTRICTED:
            raise WorkflowError(_("A restricted entry is never published."))
    feedback.publishable = publishable
    feedback.reviewed_at, feedback.reviewed_by = timezone.now(), by
    feedback.save(update_fields=["publishable", "reviewed_at", "reviewed_by"])
    _audit(by, feedback, step="review", publishable=publishable)
    return feedback


@transaction.atomic
def feedback_update(
    *, feedback: Feedback, by: User | None, submission_id: int | None = None, **values
) -> Feedback:
    """Apply an edited report (a form resent with `deprecatedID`) to an entry still open. A
    coding the edit leaves blank (or the default sensitivity) keeps the entry's own: a
    reviewer's coding is not undone by a resent form."""
    for name in ("kind", "topic"):
        if not values.get(name):
            values.pop(name, None)
    if values.get("sensitivity") in (None, "", Feedback.Sensitivity.NORMAL):
        values.pop("sensitivity", None)
    if feedback.status != Status.OPEN:
        raise WorkflowError(
            _("The entry has been answered, referred or closed; it can no longer change.")
        )
    errors: dict[str, list] = {}
    _check_choices(values, errors)
    text = (values.get("text", feedback.text) or "").strip()
    if not text:
        errors.setdefault("text", []).append(_("Write what was said."))
    if values.get("source_name") and not values.get("name_consent", feedback.name_consent):
        errors.setdefault("source_name", []).append(
            _("A name is kept only when the person consented to give it.")
        )
    if errors:
        raise ValidationError(errors)
    site, area = values.pop("site", None), values.pop("area", None)
    signal_id = values.pop("signal_id", feedback.signal_id)
    for name, value in values.items():
        setattr(feedback, name, value)
    if site is not None or area is not None:
        feedback.site = site
        feedback.area = site.area if site is not None else area
    feedback.signal_id = _signal_in_scope(signal_id, by)
    if feedback.is_coded and feedback.coded_at is None:
        feedback.coded_at, feedback.coded_by = feedback.received_at, by
    if submission_id is not None:
        feedback.submission_id = submission_id
    feedback.save()
    _audit(by, feedback, step="edit")
    return feedback


@dataclass(frozen=True, slots=True)
class FeedbackRow(Row):
    """One `feedback` form, cleaned: a row of `feedbacks_save_batch`."""

    submission_id: int
    received_at: dt.datetime
    channel: str
    text: str
    site: Site | None = None
    area: AdminArea | None = None
    source_type: str = Feedback.SourceType.UNKNOWN
    name_consent: bool = False
    source_name: str = ""
    kind: str = ""
    topic: str = ""
    sensitivity: str = Feedback.Sensitivity.NORMAL
    signal_id: int | None = None
    existing: Feedback | None = None


def feedbacks_save_batch(rows: Sequence[FeedbackRow], *, ctx: BatchContext) -> BatchResult:
    """Feedback reports from the intake pipeline: a new report is logged by its submitter
    (`feedback_log`); an edit updates the entry its previous version made, attributed to
    `ctx.by` (`feedback_update`: an entry no longer open refuses it)."""
    result = BatchResult()
    for row in rows:
        if row.existing is not None:
            feedback_update(feedback=row.existing, by=ctx.by, **row.fields())
            result.updated += 1
        else:
            feedback_log(by=ctx.submitter, **row.fields())
            result.created += 1
    return result
