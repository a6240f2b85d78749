"""The web-form channel: a form filled on HBMM's pages goes through the pipeline like any field
submission, through this one function. The mapper's checks run first, so that a user
correcting a typo leaves no quarantined copy behind; clean values are then received (channel
`web`, as JSON) and processed as the user's.
"""

import uuid
from dataclasses import dataclass, field

from hbmm.intake.mappers import MappingError, get_mapper
from hbmm.intake.models import Channel, Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.lookups import Lookups


@dataclass
class WebSubmitted:
    """What became of a web form: the submission (None when the mapper refused the values
    before anything was stored) and the reasons (`FieldError.as_dict()`: field, value,
    message), empty when it was accepted."""

    submission: Submission | None
    errors: list[dict] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.submission is not None and not self.errors


def web_submit(*, form_id: str, data: dict, user) -> WebSubmitted:
    """Send the values of a web form (`data`: field name -> text, as an ODK instance carries
    them) through the pipeline as `user`'s submission of `form_id`."""
    mapper = get_mapper(form_id)
    if mapper is None:
        raise LookupError(f"no mapper for the form {form_id!r}")
    try:
        mapper.clean(dict(data), submitter=user, lookups=Lookups())
    except MappingError as exc:
        return WebSubmitted(None, [e.as_dict() for e in exc.errors])
    received = submission_receive(
        channel=Channel.WEB,
        form_id=form_id,
        instance_id=f"web:{uuid.uuid4()}",
        payload=json_dumps(data),
        payload_format=Submission.Format.JSON,
        data=data,
        submitter=user,
    )
    submission = received.submission
    submissions_process([submission])
    submission.refresh_from_db()
    if submission.status != Submission.Status.ACCEPTED:
        return WebSubmitted(submission, list(submission.errors))
    return WebSubmitted(submission)


def form_errors_add(form, errors: list[dict]) -> None:
    """Put the pipeline's reasons on the form's field of the same name, or on the form (the
    field's name then starts the message)."""
    for error in errors:
        name = error.get("field")
        message = error.get("message", "")
        if name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, message if name in (None, "__all__") else f"{name}: {message}")
