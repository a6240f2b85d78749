"""Follow-up of a traveller after screening: started for FOLLOW_UP_DAYS, visits recorded."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import audit_log
from hbmm.health.screening.models import (
    FollowUpVisit,
    Screening,
)
from hbmm.health.screening.services import traveller_validate
from hbmm.health.screening.workflow import WorkflowError, step_save

FOLLOW_UP_DAYS = 14

# --- Follow-up ------------------------------------------------------------------------------


@transaction.atomic
def followup_start(*, screening: Screening, by: User | None) -> Screening:
    """Follow the traveller for 14 days after the screening."""
    if screening.follow_up_until:
        raise WorkflowError(_("The follow-up has already started."))
    screening.follow_up_until = screening.screened_at.date() + dt.timedelta(days=FOLLOW_UP_DAYS)
    step_save(screening, by=by, step="follow_up", fields=["follow_up_until"])
    return screening


@transaction.atomic
def followup_visit_add(
    *,
    screening: Screening,
    by: User | None,
    visited_on: dt.date,
    symptoms: Sequence[str] = (),
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
    traveller_validate({"temperature": temperature, "symptoms": list(symptoms)}, errors)
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
