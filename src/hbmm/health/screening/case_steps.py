"""One step of a suspect case's workflow recorded from a field form (the `suspect_case` form,
`intake_steps.py`): the same workflow functions as the record's page, so the order checks,
the alert e-mail and the audit are the very same; the audit event also says which submission
the step came from, and that is what makes a submission sent or processed again change
nothing."""

import datetime as dt

from django.db import transaction

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening import workflow
from hbmm.health.screening.models import Screening
from hbmm.places.models import Site

# The form's step codes (the record page's action names), the screening field each fills and
# the step name its audit event carries (workflow.step_save).
STEP_FIELDS = {
    "isolate": "isolated_at",
    "notify": "notified_at",
    "refer": "referred_at",
    "sample": "sampled_at",
    "result": "result_at",
    "close": "outcome_at",
}
AUDIT_STEPS = {
    "isolate": "isolated",
    "notify": "notified",
    "refer": "referred",
    "sample": "sampled",
    "result": "resulted",
    "close": "closed",
}


def step_recorded_by(screening: Screening, *, step: str, root: str) -> bool:
    """Whether a version of the submission `root` already recorded `step` on `screening`."""
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.DATA_CHANGE,
        target=f"health.screening:{screening.pk}",
        details__step=AUDIT_STEPS[step],
        details__source__root=root,
    ).exists()


def _same_values(screening: Screening, step: str, values: dict) -> bool:
    if step == "refer":
        facility = values["facility"]
        return (screening.referral_facility_id, screening.referral_transport) == (
            facility.pk if facility else None,
            values["transport"],
        )
    if step == "sample":
        return screening.sample_lab_id == (values["lab"].pk if values["lab"] else None)
    if step == "result":
        return screening.lab_result == values["result"]
    if step == "close":
        return screening.outcome == values["outcome"]
    return True


@transaction.atomic
def case_step_record(
    *,
    screening_id: int,
    step: str,
    at: dt.datetime,
    by,
    source: dict,
    facility: Site | None = None,
    transport: str = "",
    lab: Site | None = None,
    result: str = "",
    outcome: str = "",
    send_email: bool = True,
) -> bool:
    """Record `step` of the suspect case `screening_id` at `at`, as `by`, from `source` (a dict
    naming the channel, form, submission and its `root`, kept in the audit event). Returns
    False when nothing was done: this submission (or an earlier version of it) already
    recorded the step. Raises workflow.WorkflowError (its `code`, when set, names the answer at fault)
    when the step is not allowed now; nothing is then written. `send_email`: whether a
    notification sends the alert e-mail (not for demonstration data).

    The screening is read again, locked, for each step: the caller's copy may be stale (a
    batch retried row by row after one of its rows failed, or another step saved meanwhile)."""
    screening = Screening.objects.select_for_update().get(pk=screening_id)
    values = {"facility": facility, "transport": transport, "lab": lab}
    values |= {"result": result, "outcome": outcome}
    if (
        getattr(screening, STEP_FIELDS[step]) == at
        and _same_values(screening, step, values)
        and step_recorded_by(screening, step=step, root=source["root"])
    ):
        return False
    common = {"screening": screening, "by": by, "at": at}
    with workflow.step_source(source):
        if step == "isolate":
            workflow.screening_isolate(**common)
        elif step == "notify":
            workflow.screening_notify(**common, send_email=send_email)
        elif step == "refer":
            assert facility is not None  # the mapper requires it for this step
            workflow.screening_refer(**common, facility=facility, transport=transport)
        elif step == "sample":
            assert lab is not None
            workflow.screening_sample(**common, lab=lab)
        elif step == "result":
            workflow.screening_result(**common, result=result)
        else:
            workflow.screening_close(**common, outcome=outcome)
    return True
