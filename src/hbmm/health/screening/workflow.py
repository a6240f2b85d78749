"""The suspect-case workflow of a screening, one step at a time: isolation, notification (the
alert e-mail, `screening.alerts`), referral to a health facility, sample, lab result, outcome.
Each step is one transaction and one audit event; a step that is not allowed now (already
done, before what it requires, mistimed) raises WorkflowError saying why. The screening's
creation, classification, decision and follow-up are `screening.services`'.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import audit_log
from hbmm.health.screening.alerts import screening_alert_send
from hbmm.health.screening.models import (
    Screening,
)
from hbmm.places.models import Site, SiteKind

CLOCK_SKEW = dt.timedelta(minutes=5)


class WorkflowError(ValidationError):
    """A workflow step that is not allowed now; the message says why."""


def check_moment(value, field: str, errors: dict, *, not_before=None, before_label="", now=None):
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


STEP_LABELS = {
    "screened_at": gettext_lazy("the screening"),
    "isolated_at": gettext_lazy("the isolation"),
    "notified_at": gettext_lazy("the notification"),
    "referred_at": gettext_lazy("the referral"),
    "sampled_at": gettext_lazy("the sample"),
    "result_at": gettext_lazy("the lab result"),
}


def step_guard(screening: Screening, *, field: str, requires: tuple[str, ...], at) -> dt.datetime:
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
    check_moment(at, "at", errors, not_before=latest, before_label=label)
    if errors:
        raise WorkflowError(errors["at"][0])
    return at


def save_step(screening: Screening, *, by, step: str, fields: list[str], details=None) -> None:
    screening.save(update_fields=fields)
    audit_log(**step_event(screening, by=by, step=step, details=details))


def step_event(screening: Screening, *, by, step: str, details=None) -> dict:
    return {
        "action": AuditEvent.Action.DATA_CHANGE,
        "actor": by,
        "target": f"health.screening:{screening.pk}",
        "details": {"step": step, **(details or {})},
    }


@transaction.atomic
def screening_isolate(*, screening: Screening, by: User | None, at=None) -> Screening:
    screening.isolated_at = step_guard(screening, field="isolated_at", requires=(), at=at)
    save_step(screening, by=by, step="isolated", fields=["isolated_at"])
    return screening


def notify_now(screening: Screening, *, by) -> None:
    """The automatic notification of a suspect, now (or at the screening time, when the
    device clock is a few minutes ahead of the server's)."""
    screening_notify(screening=screening, by=by, at=max(timezone.now(), screening.screened_at))


@transaction.atomic
def screening_notify(
    *, screening: Screening, by: User | None, at=None, send_email: bool = True
) -> Screening:
    """Notify the suspect case: the alert e-mail goes out and the notification time is kept."""
    screening.notified_at = step_guard(screening, field="notified_at", requires=(), at=at)
    fields = ["notified_at"]
    if send_email:
        screening.alert_recipients = screening_alert_send(screening)
        screening.alert_sent_at = timezone.now()
        fields += ["alert_recipients", "alert_sent_at"]
    save_step(
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
    at = step_guard(screening, field="referred_at", requires=("notified_at",), at=at)
    if not facility.kinds.filter(code=SiteKind.HEALTH_FACILITY).exists():
        raise WorkflowError(_("The referral site must be a health facility."))
    if transport not in Screening.Transport.values:
        raise WorkflowError(_("Choose a transport."))
    screening.referred_at, screening.referral_facility = at, facility
    screening.referral_transport = transport
    save_step(
        screening,
        by=by,
        step="referred",
        fields=["referred_at", "referral_facility", "referral_transport"],
        details={"facility": facility.code, "transport": transport},
    )
    return screening


@transaction.atomic
def screening_sample(*, screening: Screening, by: User | None, lab: Site, at=None) -> Screening:
    at = step_guard(screening, field="sampled_at", requires=("notified_at",), at=at)
    if not lab.kinds.filter(code=SiteKind.LABORATORY).exists():
        raise WorkflowError(_("The sample must go to a laboratory."))
    screening.sampled_at, screening.sample_lab = at, lab
    save_step(
        screening,
        by=by,
        step="sampled",
        fields=["sampled_at", "sample_lab"],
        details={"lab": lab.code},
    )
    return screening


@transaction.atomic
def screening_result(*, screening: Screening, by: User | None, result: str, at=None) -> Screening:
    at = step_guard(screening, field="result_at", requires=("sampled_at",), at=at)
    if result not in Screening.LabResult.values:
        raise WorkflowError(_("The result must be positive, negative or inconclusive."))
    screening.result_at, screening.lab_result = at, result
    save_step(
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
    at = step_guard(screening, field="outcome_at", requires=("notified_at",), at=at)
    if outcome not in Screening.Outcome.values:
        raise WorkflowError(_("Choose an outcome."))
    if screening.sampled_at and not screening.result_at and outcome != Screening.Outcome.DIED:
        raise WorkflowError(_("A sample was taken: record the lab result first."))
    if screening.result_at and at < screening.result_at:
        raise WorkflowError(_("The outcome cannot be before the lab result."))
    screening.outcome_at, screening.outcome = at, outcome
    save_step(
        screening,
        by=by,
        step="closed",
        fields=["outcome_at", "outcome"],
        details={"outcome": outcome},
    )
    return screening
