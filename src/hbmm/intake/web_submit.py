"""Web forms go through the intake pipeline like any field submission: the raw values are
stored first (channel "web"), then mapped. The mapper's checks run before storing so that a
user correcting a typo does not leave quarantined copies behind. Used by every domain's web
form (screening, signals, community feedback)."""

import uuid

from hbmm.intake.mappers import MappingError, get_mapper
from hbmm.intake.models import Channel, Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.services import submission_receive, submissions_process


def web_submit(*, form_id: str, data: dict, user) -> tuple[Submission | None, list[dict]]:
    """(accepted submission, []) or (None or the quarantined submission, errors)."""
    mapper = get_mapper(form_id)
    if mapper is None:
        raise LookupError(f"no mapper registered for the form {form_id!r}")
    try:
        mapper.clean(dict(data), submitter=user)
    except MappingError as exc:
        return None, [e.as_dict() for e in exc.errors]
    received = submission_receive(
        channel=Channel.WEB,
        form_id=form_id,
        instance_id=f"web:{uuid.uuid4()}",
        payload=json_dumps(data),
        payload_format=Submission.Format.JSON,
        data=data,
        submitter=user,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    if received.submission.status != Submission.Status.ACCEPTED:
        return received.submission, list(received.submission.errors)
    return received.submission, []


def add_errors(form, errors: list[dict]) -> None:
    """Put pipeline errors on the form field of the same name (or on the form)."""
    for error in errors:
        field = error.get("field")
        name = field if field in form.fields else None
        message = error.get("message", "")
        if name is None and field not in (None, "__all__"):
            message = f"{field}: {message}"
        form.add_error(name, message)
