"""Writes for the 7-1-7 review of a health event (services: keyword-only, one transaction,
checked, audited): the early-response checklist and the bottleneck review of a missed target.

The checklist decides the event's `response_at` (its early response completed): the latest
done date of the applicable actions once each is done, none while one is to do. An action
"not applicable" to this event (a low-risk event needs no coordination mechanism) says why.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import User
from hbmm.health.ebs.models import Bottleneck, HealthEvent, ResponseAction
from hbmm.health.ebs.performance import checklist, event_verdicts, response_completion
from hbmm.health.ebs.services import _audit, _moment
from hbmm.health.steps import WorkflowError

State = ResponseAction.State


def _open(event: HealthEvent) -> None:
    if event.status == HealthEvent.Status.CLOSED:
        raise WorkflowError(_("The event is closed."))


@transaction.atomic
def response_action_record(
    *,
    event: HealthEvent,
    item: str,
    state: str,
    by: User | None,
    done_at: dt.datetime | None = None,
    note: str = "",
) -> ResponseAction:
    """Record one action of the checklist: done (at `done_at`, now when not given, not before
    the notification), not applicable (a note says why) or back to do. Then the event's early
    response completion follows the checklist."""
    _open(event)
    errors: dict[str, list] = {}
    if item not in ResponseAction.Item.values:
        errors.setdefault("item", []).append(_("Unknown early response action."))
    if state not in State.values:
        errors.setdefault("state", []).append(_("Choose done, not applicable or to do."))
    if state == State.NOT_APPLICABLE and not note.strip():
        errors.setdefault("note", []).append(_("Say why the action does not apply."))
    if errors:
        raise ValidationError(errors)
    signal = event.signal
    if state == State.DONE:
        # Actions often start before the event is opened (at the verification): the floor is
        # the notification, where the 7-day clock starts.
        done_at = _moment(
            done_at, signal, after=signal.reported_at, after_label=_("the report"), field="done_at"
        )
    else:
        done_at = None
    action, created = ResponseAction.objects.update_or_create(
        event=event,
        item=item,
        defaults={
            "state": state,
            "done_at": done_at,
            "note": note.strip(),
            "recorded_by": by,
            "recorded_at": timezone.now(),
        },
    )
    event.response_at = response_completion(
        checklist(event, ResponseAction.objects.filter(event=event))
    )
    event.save(update_fields=["response_at"])
    _audit(
        by,
        f"health.healthevent:{event.pk}",
        step="response_action",
        item=item,
        state=state,
        done_at=done_at.isoformat() if done_at else None,
        complete=event.response_at is not None,
    )
    return action


@transaction.atomic
def bottleneck_record(
    *,
    event: HealthEvent,
    target: str,
    category: str,
    cause: str,
    fix: str,
    by: User | None,
    now: dt.datetime | None = None,
) -> Bottleneck:
    """The review of a target `event` missed: what caused the delay, its category and what
    would fix it. A target met, or not yet judged, has no bottleneck to review."""
    errors: dict[str, list] = {}
    if target not in Bottleneck.Target.values:
        errors.setdefault("target", []).append(_("Choose the target missed."))
    if category not in Bottleneck.Category.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    if not cause.strip():
        errors.setdefault("cause", []).append(_("Say what caused the delay."))
    if not fix.strip():
        errors.setdefault("fix", []).append(_("Say what would fix it."))
    if errors:
        raise ValidationError(errors)
    if event_verdicts(event, now=now).get(target) is not False:
        raise WorkflowError(
            {"target": _("This target was not missed: there is no bottleneck to review.")}
        )
    bottleneck = Bottleneck.objects.create(
        event=event,
        target=target,
        category=category,
        cause=cause.strip(),
        fix=fix.strip(),
        recorded_by=by,
    )
    _audit(
        by,
        f"health.healthevent:{event.pk}",
        step="bottleneck",
        missed=target,
        category=category,
    )
    return bottleneck
