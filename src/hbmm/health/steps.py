"""What every timed workflow step of the health app checks (the suspect-case workflow of a
screening, a sample's course to the laboratory): a refusal that says why, and a step's time
that is neither in the future nor before the step it follows. Kept apart from both workflows
so that each may use it without importing the other."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

# Sent (screening=...) by a write of a screening made outside the screening package (a
# sample's steps write the screening's sample and result): the screening package keeps its
# day summary from it (`hbmm.health.screening.summaries`) without the writer importing it.
screening_changed = Signal()

# A device clock a few minutes ahead of the server's is not "the future".
CLOCK_SKEW = dt.timedelta(minutes=5)


class WorkflowError(ValidationError):
    """A workflow step that is not allowed now; the message says why."""


def moment_check(value, field: str, errors: dict, *, not_before=None, before_label="", now=None):
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
