"""Receive: store a submission as it came, before any parsing of its meaning (DESIGN.md, data
principle 1), idempotently. The first step of every channel (OpenRosa, web forms, files,
pulls); `intake.process` then maps what was received.
"""

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.intake import submissions
from hbmm.intake.identifiers import Protection
from hbmm.intake.mappers import FieldError, get_mapper
from hbmm.intake.models import Submission, SubmissionAttachment, sha256
from hbmm.intake.submissions import Status


@dataclass
class Received:
    submission: Submission
    created: bool  # False when this exact instance had been received before: nothing new


def submission_receive(
    *,
    channel: str,
    form_id: str,
    instance_id: str,
    payload: str,
    payload_format: str,
    data: dict,
    form_version: str = "",
    root_id: str = "",
    deprecated_id: str = "",
    submitter=None,
    submitter_name: str = "",
    device_id: str = "",
    source_file=None,
    row_number: int | None = None,
    is_demo: bool = False,
    awaiting_parts: bool = False,
) -> Received:
    """Store a submission as received, before any parsing of its meaning.

    The same instance id received again (on any channel) stores nothing new when its payload
    is identical; a different payload under a known instance id is kept as a `conflict` copy
    for review, so no byte received is lost and the domain is not touched. A form that
    carries identifiers is stored with its payload and identifier fields encrypted
    (identifiers.Protection). `awaiting_parts`: the first of several parts (OpenRosa), left
    unmapped until the last one arrives.
    """
    fields = {
        "channel": channel,
        "form_id": form_id,
        "form_version": form_version,
        "instance_id": instance_id,
        "deprecated_id": deprecated_id,
        "submitter": submitter,
        "submitter_name": submitter_name or (submitter.get_username() if submitter else ""),
        "device_id": device_id,
        "payload": payload,
        "payload_format": payload_format,
        "source_file": source_file,
        "row_number": row_number,
        "data": data,
        "is_demo": is_demo,
    }
    for _attempt in range(2):
        existing = (
            Submission.objects.filter(instance_id=instance_id)
            .filter(Submission.not_a_copy())
            .first()
        )
        if existing is not None:
            if existing.checksum == sha256(payload):
                return Received(existing, created=False)
            reason = FieldError(
                "instanceID",
                instance_id,
                _(
                    "Another submission with this instance id and different content was "
                    "received before; this copy is kept for review."
                ),
            )
            return _copy_keep(
                Status.CONFLICT, reason, root_id=existing.root_id, site=None, fields=fields
            )
        resolved_root = submissions.root_resolve(
            instance_id=instance_id, root_id=root_id, deprecated_id=deprecated_id
        )
        submission = submissions.submission_new(
            fields, protection=Protection(get_mapper(form_id)), root_id=resolved_root
        )
        submission.awaiting_parts = awaiting_parts or None
        try:
            with transaction.atomic():
                submission.save(force_insert=True)
            return Received(submission, created=True)
        except IntegrityError:
            continue  # a concurrent worker stored this instance first: look again
    raise RuntimeError(f"could not store submission {instance_id}")


def _copy_keep(status: str, reason: FieldError, *, root_id: str, site, fields: dict) -> Received:
    """Keep a copy for review beside the stored submission of its instance id (a conflicting
    copy, or a refused edit); the same copy sent again (a phone retrying) is not stored twice."""
    known = Submission.objects.filter(
        instance_id=fields["instance_id"], status=status, checksum=sha256(fields["payload"])
    ).first()
    if known is not None:
        return Received(known, created=False)
    copy = submissions.submission_new(
        fields,
        protection=Protection(get_mapper(fields["form_id"])),
        root_id=root_id,
        status=status,
        errors=[reason],
        site=site,
        processed_at=timezone.now() if status == Status.REFUSED else None,
    )
    copy.save(force_insert=True)
    return Received(copy, created=True)


def submission_refused_keep(
    *,
    channel: str,
    form_id: str,
    instance_id: str,
    payload: str,
    payload_format: str,
    data: dict,
    reason: FieldError,
    site=None,
    form_version: str = "",
    deprecated_id: str = "",
    submitter=None,
    device_id: str = "",
) -> Received:
    """Keep a refused edit for review (status `refused`, filed under the site it names so that
    the reviewers of that site see it); nothing else is touched. The same copy sent again is
    not stored twice, and a copy never blocks the instance id: once allowed, it is stored."""
    fields = {
        "channel": channel,
        "form_id": form_id,
        "form_version": form_version,
        "instance_id": instance_id,
        "deprecated_id": deprecated_id,
        "submitter": submitter,
        "submitter_name": submitter.get_username() if submitter else "",
        "device_id": device_id,
        "payload": payload,
        "payload_format": payload_format,
        "source_file": None,
        "row_number": None,
        "data": data,
        "is_demo": False,
    }
    return _copy_keep(Status.REFUSED, reason, root_id=instance_id, site=site, fields=fields)


def attachment_store(submission: Submission, upload) -> bool:
    """Keep one uploaded file beside its submission, with its checksum; a file of that name
    already stored is not stored again (split or repeated posts)."""
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    if not name or submission.attachments.filter(name=name).exists():
        return False
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    attachment = SubmissionAttachment(
        submission=submission,
        name=name,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=size,
        checksum=digest.hexdigest(),
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:  # the same file arrived through a concurrent post
        attachment.file.delete(save=False)
        return False
    return True
