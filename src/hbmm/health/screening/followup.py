"""Follow-up of a traveller after screening: started for FOLLOW_UP_DAYS, a visit (or call) a
day, closed with an outcome.

- A visit that did not reach the traveller is a missed visit; `HBMM_FOLLOWUP_MISSED_LIMIT`
  (2) missed visits in a row and the traveller is lost to follow-up (closed, outcome `lost`).
- A visit that records symptoms (or a fever) closes the follow-up as `symptomatic` and turns
  the traveller into a suspect case: the agent's decision "suspect" (an override of the case
  definition when it said otherwise, with the visit as the reason), then the notification and
  its alert e-mail to the point's supervisors and the surveillance officers, through the
  suspect-case workflow (`workflow.py`; the e-mail holds no identifiers).
- At day 14 or later the follow-up is closed as completed; moved away and died at any time.

`followup_visits_save_batch` is the intake contract of the follow-up visit form.
"""

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
from hbmm.health.screening.models import (
    FollowUpOutcome,
    FollowUpVisit,
    Screening,
)
from hbmm.health.screening.selectors import missed_limit
from hbmm.health.screening.services import screening_decide, traveller_validate
from hbmm.health.screening.workflow import (
    WorkflowError,
    notify_now,
    screening_alert_send,
    step_save,
)
from hbmm.intake.mappers import BatchContext, BatchResult

FOLLOW_UP_DAYS = 14
FEVER = Decimal("38.0")

# --- Follow-up ------------------------------------------------------------------------------


def visit_is_symptomatic(*, symptoms: Sequence[str], temperature: Decimal | None) -> bool:
    return bool(symptoms) or (temperature is not None and temperature >= FEVER)


@transaction.atomic
def followup_start(*, screening: Screening, by: User | None, team: str = "") -> Screening:
    """Follow the traveller for 14 days after the screening (`team`: who visits, optional)."""
    if screening.follow_up_until:
        raise WorkflowError(_("The follow-up has already started."))
    if len(team) > 60:
        raise ValidationError({"team": [_("At most 60 characters.")]})
    screening.follow_up_until = screening.screened_at.date() + dt.timedelta(days=FOLLOW_UP_DAYS)
    screening.follow_up_team = team.strip()
    step_save(
        screening,
        by=by,
        step="follow_up",
        fields=["follow_up_until", "follow_up_team"],
        details={"team": screening.follow_up_team} if screening.follow_up_team else None,
    )
    return screening


def _closed_guard(screening: Screening) -> None:
    if not screening.follow_up_until:
        raise WorkflowError(_("Start the follow-up first."))
    if screening.follow_up_outcome:
        raise WorkflowError(
            _("The follow-up is closed (%(outcome)s, %(on)s).")
            % {
                "outcome": screening.get_follow_up_outcome_display(),
                "on": screening.follow_up_closed_on,
            }
        )


def _close(screening: Screening, *, by, outcome: str, on: dt.date, details=None) -> None:
    screening.follow_up_outcome, screening.follow_up_closed_on = outcome, on
    step_save(
        screening,
        by=by,
        step="follow_up_closed",
        fields=["follow_up_outcome", "follow_up_closed_on"],
        details={"outcome": outcome, "on": str(on), **(details or {})},
    )


@transaction.atomic
def followup_visit_add(
    *,
    screening: Screening,
    by: User | None,
    visited_on: dt.date,
    reached: bool = True,
    symptoms: Sequence[str] = (),
    temperature: Decimal | None = None,
    note: str = "",
    submission_id: int | None = None,
    alert: bool = True,
) -> FollowUpVisit:
    """Record a visit. A missed one (`reached=False`) may close the follow-up as lost; one
    with symptoms closes it as symptomatic and starts the suspect-case workflow (`alert`:
    the alert e-mail goes out; not for demonstration data)."""
    _closed_guard(screening)
    assert screening.follow_up_until is not None  # checked by _closed_guard
    errors: dict[str, list] = {}
    if not screening.screened_at.date() <= visited_on <= screening.follow_up_until:
        errors["visited_on"] = [
            _("The visit must fall within the follow-up (%(start)s to %(end)s).")
            % {"start": screening.screened_at.date(), "end": screening.follow_up_until}
        ]
    elif visited_on > timezone.now().date():
        errors["visited_on"] = [_("The date is in the future.")]
    if not reached and (symptoms or temperature is not None):
        errors["reached"] = [
            _("The traveller was not reached: no symptom or temperature can be recorded.")
        ]
    traveller_validate({"temperature": temperature, "symptoms": list(symptoms)}, errors)
    if errors:
        raise ValidationError(errors)
    visit = FollowUpVisit.objects.create(
        screening=screening,
        submission_id=submission_id,
        visited_on=visited_on,
        reached=reached,
        symptoms=list(symptoms),
        temperature=temperature,
        note=note,
        by=by,
    )
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"health.screening:{screening.pk}",
        details={"step": "follow_up_visit", "visited_on": str(visited_on), "reached": reached},
    )
    if visit_is_symptomatic(symptoms=symptoms, temperature=temperature):
        _close(screening, by=by, outcome=FollowUpOutcome.SYMPTOMATIC, on=visited_on)
        _become_suspect(screening, by=by, visit=visit, alert=alert)
    elif not reached:
        limit = missed_limit()
        last = list(
            FollowUpVisit.objects.filter(screening=screening)
            .order_by("-visited_on", "-pk")
            .values_list("reached", flat=True)[:limit]
        )
        if len(last) == limit and not any(last):
            _close(
                screening,
                by=by,
                outcome=FollowUpOutcome.LOST,
                on=visited_on,
                details={"missed_in_a_row": limit},
            )
    return visit


def _become_suspect(screening: Screening, *, by, visit: FollowUpVisit, alert: bool) -> None:
    """The symptomatic traveller enters the suspect-case workflow and is notified."""
    if not screening.is_suspect:
        screening_decide(
            screening=screening,
            by=by,
            decision="suspect",
            reason=_("Symptoms at the follow-up visit of %s.") % visit.visited_on.isoformat(),
            notify=alert,
        )
        return
    if not alert:
        return
    if not screening.notified_at and not screening.outcome_at:
        notify_now(screening, by=by)
    else:  # already notified: the officers hear of the symptoms all the same
        screening_alert_send(screening)


@transaction.atomic
def followup_close(
    *, screening: Screening, by: User | None, outcome: str, on: dt.date, note: str = ""
) -> Screening:
    """Close the follow-up: completed (day 14 reached), moved away, died, or lost."""
    _closed_guard(screening)
    assert screening.follow_up_until is not None  # checked by _closed_guard
    if outcome == FollowUpOutcome.SYMPTOMATIC:
        raise ValidationError(
            {"outcome": [_("Record the visit with its symptoms: it closes the follow-up.")]}
        )
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": [_("Choose an outcome.")]})
    errors: dict[str, list] = {}
    if on > timezone.now().date():
        errors["on"] = [_("The date is in the future.")]
    elif on < screening.screened_at.date():
        errors["on"] = [_("The date is before the screening.")]
    elif outcome == FollowUpOutcome.COMPLETED and on < screening.follow_up_until:
        errors["on"] = [
            _("The 14 days end on %(end)s: the follow-up cannot be completed before.")
            % {"end": screening.follow_up_until}
        ]
    if errors:
        raise ValidationError(errors)
    _close(screening, by=by, outcome=outcome, on=on, details={"note": note} if note else None)
    return screening


# --- The follow-up visit form (intake) ------------------------------------------------------


@dataclass
class FollowUpVisitRow:
    """A follow-up visit form's clean values (`intake_mappers.FollowUpVisitMapper`)."""

    submission_id: int
    screening: Screening
    visited_on: dt.date
    reached: bool
    symptoms: list[str]
    temperature: Decimal | None
    note: str
    existing: FollowUpVisit | None = None


def followup_visits_save_batch(
    rows: Sequence[FollowUpVisitRow], *, ctx: BatchContext
) -> BatchResult:
    """The follow-up visits of one batch, each through followup_visit_add (its checks, its
    audit, the lost and symptomatic closures, the alert unless demonstration data). An edit of
    a visit changes its note only: a visit's facts close follow-ups and start workflows."""
    result = BatchResult()
    for row in sorted(rows, key=lambda r: (r.visited_on, r.submission_id)):
        if row.existing is not None:
            if (row.existing.visited_on, row.existing.reached) != (row.visited_on, row.reached):
                raise ValidationError(
                    {"visited_on": [_("A visit's date and outcome cannot be edited.")]}
                )
            row.existing.note, row.existing.submission_id = row.note, row.submission_id
            row.existing.save(update_fields=["note", "submission"])
            result.updated += 1
            continue
        followup_visit_add(
            screening=row.screening,
            by=ctx.by,
            visited_on=row.visited_on,
            reached=row.reached,
            symptoms=row.symptoms,
            temperature=row.temperature,
            note=row.note,
            submission_id=row.submission_id,
            alert=not ctx.is_demo,
        )
        result.created += 1
    return result
