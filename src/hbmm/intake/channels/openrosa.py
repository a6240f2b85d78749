"""The OpenRosa channel (ODK Collect, Enketo): one POST checked (the form's permission, the
site known and in the sender's scope, an edit's right to replace what it names), then
received with its files (`intake.receive`) and processed (`intake.process`). The views are
`intake.openrosa`.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hbmm.accounts.scope import user_scope
from hbmm.intake.edits import EDIT_UNKNOWN, Refusal, edit_refusal, site_code, site_of_code
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import Channel, Submission
from hbmm.intake.parsing import (
    DocumentTypeRefused,
    ParsedPayload,
    PayloadError,
    RepeatedField,
    flatten_json,
    json_dumps,
    parse_xml,
)
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import attachment_store, submission_receive, submission_refused_keep
from hbmm.intake.submissions import Status, versions_replaced


class SubmissionRefused(Exception):
    """An OpenRosa submission refused before anything is stored; `status` is the HTTP code."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass
class OpenRosaResult:
    submission: Submission
    created: bool
    conflict: bool
    attachments_added: int
    completed: bool = False  # this post completed a submission sent in several parts
    waiting: bool = False  # stored complete, left to the mapping job (map_now False)


# Why an OpenRosa submission is refused (translated for the phone and for a refused copy).
FORM_NOT_ALLOWED = gettext_noop("Your role does not allow you to send the form '%s'.")
SITE_UNKNOWN = gettext_noop(
    "Unknown site '%(code)s' (field %(field)s): update the form's site list."
)
SITE_OUT_OF_SCOPE = gettext_noop(
    "The site '%(code)s' (field %(field)s) is outside your geographic scope."
)


def _unreadable(exc: Exception) -> SubmissionRefused:
    if isinstance(exc, RepeatedField):
        message = (
            _(
                "The field '%s' is given more than once in the submission; only the fields of a "
                "repeat group may be. Correct the form and send it again."
            )
            % exc.field
        )
    elif isinstance(exc, DocumentTypeRefused):
        message = _(
            "The submission declares a document type (DTD) or entities, which this server "
            "refuses: send the XForm instance as ODK Collect writes it."
        )
    else:
        message = _("The submission is not a readable XForm instance: %s") % exc
    return SubmissionRefused(400, message)


def _openrosa_refusal(*, parsed, mapper, user) -> tuple[Refusal | None, object]:
    """(why the submission is refused or None, the site it names if known): the form's
    permission, the site known and in the sender's scope, and for an edit, the version it
    names received and writable by the sender (edit_refusal)."""
    form_id = parsed.form_id
    site_field = getattr(mapper, "site_field", None)
    code = site_code(mapper, parsed.data)
    site = site_of_code(code)
    if not user.has_perm(mapper.permission):
        return Refusal(403, "form_id", form_id, FORM_NOT_ALLOWED, (form_id,)), site
    params = {"code": code, "field": site_field}
    if site is None and isinstance(code, str) and code.strip():
        return Refusal(400, str(site_field), code, SITE_UNKNOWN, params), None
    if site is not None and not user_scope(user).contains_site(site):
        return Refusal(403, str(site_field), str(code), SITE_OUT_OF_SCOPE, params), site
    already = Submission.objects.filter(instance_id=parsed.instance_id).filter(
        Submission.not_a_copy()
    )
    if parsed.deprecated_id and not already.exists():
        # Over OpenRosa the version edited must have been received here: an edit of an
        # unknown version is refused (the phone keeps it), never taken as a claim on it.
        named = (
            Submission.objects.filter(instance_id=parsed.deprecated_id)
            .filter(Submission.not_a_copy())
            .select_related("site__area")
            .first()
        )
        if named is None:
            params = {"previous": parsed.deprecated_id, "form": form_id}
            return Refusal(403, "deprecatedID", parsed.deprecated_id, EDIT_UNKNOWN, params), site
        versions = versions_replaced(
            instance_id=parsed.instance_id,
            root_id=named.root_id,
            deprecated_id=parsed.deprecated_id,
        )
        refusal = edit_refusal(
            submission_form=form_id,
            deprecated_id=parsed.deprecated_id,
            versions=versions,
            sender=user,
            mapper=mapper,
        )
        return refusal, site
    return None, site


def openrosa_submission_receive(
    *,
    xml: bytes,
    attachments: list,
    user,
    device_id: str = "",
    incomplete: bool = False,
    map_now: bool = True,
) -> OpenRosaResult:
    """One OpenRosa POST: check it, store the raw XML and the files, process the submission.

    Refused before anything is stored (SubmissionRefused): malformed XML, a document type
    declaration or a field given twice outside a repeat group (400), a form this server does
    not know (404), a form the user's role may not fill (403), a site code that is unknown
    (400) or outside the user's scope (403). An edit (meta/deprecatedID) is refused (403) when
    the version it names was not received, is of another form or about a site outside the
    user's scope; its XML is then kept as a `refused` copy for review. The root of an edit is
    the root of the version it names (a meta/rootUuid sent by the phone is not trusted).
    The same instance posted again (Collect splits large submissions over several posts, or
    retries) stores only the files not yet received; a different XML under a known instance
    id is kept as a conflict copy (409). `incomplete` (Collect's `*isIncomplete*` on every
    part but the last): store the XML and the files, but map the submission only when its
    last part arrives. `map_now` False: leave it received, for the mapping job
    (`tasks.submissions_map`): the result says whether it waits (`waiting`).
    """
    try:
        text = xml.decode("utf-8")
        parsed = parse_xml(xml)
    except (UnicodeDecodeError, PayloadError) as exc:
        raise _unreadable(exc) from exc
    return _parsed_submission_receive(
        parsed=parsed,
        channel=Channel.OPENROSA,
        payload=text,
        payload_format=Submission.Format.XML,
        user=user,
        device_id=device_id,
        attachments=attachments,
        incomplete=incomplete,
        map_now=map_now,
    )


def json_submission_receive(
    *,
    form_id: str,
    instance_id: str,
    data: dict,
    user,
    deprecated_id: str = "",
    form_version: str = "",
    device_id: str = "",
) -> OpenRosaResult:
    """A submission sent as JSON to the API (`POST /api/v1/submissions/`): the same checks,
    storage, idempotency by instance id, edits and quarantine as an OpenRosa submission
    (`openrosa_submission_receive`); `data` is a record as ODK Central gives it (nested groups
    or "group/field" keys, flattened as a pull flattens it). The raw payload kept is the JSON
    document itself (keys sorted), so the same document sent again stores nothing new."""
    envelope = {
        "form_id": form_id,
        "form_version": form_version,
        "instance_id": instance_id,
        "deprecated_id": deprecated_id,
        "data": data,
    }
    parsed = ParsedPayload(
        form_id=form_id,
        form_version=form_version,
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        data=flatten_json(data),
    )
    return _parsed_submission_receive(
        parsed=parsed,
        channel=Channel.API,
        payload=json_dumps(envelope),
        payload_format=Submission.Format.JSON,
        user=user,
        device_id=device_id,
    )


def _parsed_submission_receive(
    *,
    parsed,
    channel: str,
    payload: str,
    payload_format: str,
    user,
    device_id: str = "",
    attachments: list | None = None,
    incomplete: bool = False,
    map_now: bool = True,
) -> OpenRosaResult:
    """The checks, storage and processing of a submission sent by a client (OpenRosa, API)."""
    mapper = get_mapper(parsed.form_id)
    if mapper is None:
        raise SubmissionRefused(
            404, _("The form '%s' is not known to this server.") % parsed.form_id
        )
    fields = {
        "channel": channel,
        "form_id": parsed.form_id,
        "form_version": parsed.form_version,
        "instance_id": parsed.instance_id,
        "deprecated_id": parsed.deprecated_id,
        "payload": payload,
        "payload_format": payload_format,
        "data": parsed.data,
        "submitter": user,
        "device_id": (device_id or str(parsed.data.get("deviceid") or ""))[:150],
    }
    refusal, site = _openrosa_refusal(parsed=parsed, mapper=mapper, user=user)
    if refusal is not None:
        if parsed.deprecated_id:  # an attempted edit: kept, with its reason, for review
            submission_refused_keep(**fields, reason=refusal.reason(), site=site)
        raise SubmissionRefused(refusal.status, refusal.message())
    received = submission_receive(**fields, awaiting_parts=incomplete)
    submission = received.submission
    added = sum(attachment_store(submission, upload) for upload in attachments or ())
    conflict = submission.status == Status.CONFLICT
    processed = False
    if not conflict and not incomplete:
        if submission.awaiting_parts:  # its last part
            Submission.objects.filter(pk=submission.pk).update(awaiting_parts=None)
            submission.awaiting_parts = None
        if map_now:
            submission, processed = _process_if_received(submission)
        else:
            processed = submission.status == Status.RECEIVED
    return OpenRosaResult(
        submission=submission,
        created=received.created,
        conflict=conflict,
        attachments_added=added,
        completed=processed and not received.created,
        waiting=processed and not map_now,
    )


def _process_if_received(submission: Submission) -> tuple[Submission, bool]:
    """Map a submission still waiting (its last part just arrived, or a first complete post);
    the row lock (an IMMEDIATE transaction on SQLite) makes two racing posts process it once."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        waiting = locked.status == Status.RECEIVED
        if waiting:
            submissions_process([locked])
    locked.refresh_from_db()
    return locked, waiting
