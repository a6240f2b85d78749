"""Pulls from ODK Central and KoboToolbox: the run, page by page, each page stored with the
pull's progress in one transaction, so a sync killed at any moment resumes with no gap and no
duplicate. What each server is asked is in `pull_central` and `pull_kobo`; what they share
(errors, counts, the window re-read behind a watermark) in `pull_common`.

A pass (new submissions, then edits) reads the rows stamped from `watermark - window` on, in
the server's cheapest order (not the stamp's): the cursor to the next page and the highest
stamp read so far are saved with each stored page in `PullSource.pull_progress`; when the
pass is complete the watermark moves to that stamp and the progress is cleared. A killed run
resumes from the saved cursor (or, if the server no longer answers it, from the watermark:
rows already stored are recognised by their instance id and skipped, so re-reading is free).

One pull at a time per source: every run goes through a job holding the lock
`pull:<source id>` (`intake.tasks`: the schedule, "Pull now" and `hbmm sync` alike; a unique
index on the active jobs' locks decides).
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.intake.channels.pull_central import CentralClient
from hbmm.intake.channels.pull_common import (
    Page,
    Pass,
    PullCounts,
    PullError,
    Record,
    row_label,
)
from hbmm.intake.channels.pull_kobo import KoboClient
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import PullSource, Submission, SubmissionAttachment
from hbmm.intake.parsing import flatten_json, json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.intake.submissions import Status

__all__ = ["PullCounts", "PullError", "Record", "pull_source_run", "pull_sources_run"]

log = logging.getLogger(__name__)


def _client(source: PullSource):
    if source.channel == PullSource.Kind.ODK_CENTRAL:
        return CentralClient(source)
    if source.channel == PullSource.Kind.KOBO:
        return KoboClient(source)
    raise PullError(f"unknown server type '{source.channel}'")


def _known(ids: list[str]) -> set[str]:
    """Those of `ids` stored, or kept as a copy for review: two look-ups the indexes answer."""
    return set(
        Submission.objects.filter(Submission.not_a_copy(), instance_id__in=ids).values_list(
            "instance_id", flat=True
        )
    ) | set(
        Submission.objects.filter(
            status__in=Submission.COPY_STATUSES, instance_id__in=ids
        ).values_list("instance_id", flat=True)
    )


def _store_page(source, client, page: Page, *, step: Pass, counts) -> list[Submission]:
    """Store one page and save the pull's progress, in one transaction; returns the new
    submissions."""
    stamps = [client.stamp_of(row, step.stamp) for row in page.rows]
    for row, value in zip(page.rows, stamps, strict=True):
        if not value:
            # The watermark is the highest stamp read: a row without it cannot be placed.
            raise PullError(
                _("The submission %(id)s has no %(stamp)s: the server's answer cannot be paged.")
                % {"id": row_label(row), "stamp": step.stamp}
            )
    records = [client.record(row) for row in page.rows]
    known = _known([r.instance_id for r in records])
    # Downloads happen before the transaction: a slow server does not hold the database.
    files = {
        r.instance_id: [(name, client.download(url)) for name, url in client.attachments_of(r)]
        for r in records
        if r.instance_id not in known
    }
    stored = []
    with transaction.atomic():
        for record in records:
            if record.instance_id in known:
                counts.known += 1
                continue
            known.add(record.instance_id)
            received = submission_receive(
                channel=source.channel,
                form_id=source.form_id,
                form_version=record.form_version,
                instance_id=record.instance_id,
                root_id=record.root_id,
                deprecated_id=record.deprecated_id,
                payload=json_dumps(record.raw),
                payload_format=Submission.Format.JSON,
                data=flatten_json(record.raw),
                # The owner answers for the source: their role and scope are the checks.
                submitter=source.owner,
                submitter_name=record.submitter_name[:150],
                device_id=record.device_id[:150],
            )
            if not received.created:
                counts.known += 1
                continue
            counts.new += 1
            stored.append(received.submission)
            for name, content in files.get(record.instance_id, []):
                attachment = SubmissionAttachment(
                    submission=received.submission,
                    name=name[:255],
                    size=len(content),
                    checksum=hashlib.sha256(content).hexdigest(),
                )
                attachment.file.save(name or "attachment", ContentFile(content), save=False)
                attachment.save()
                counts.attachments += 1
        _advance(source, client, step, stamps, page.cursor)
    return stored


def _advance(source: PullSource, client, step: Pass, stamps: list[str], cursor: str) -> None:
    """Save where the pass is after a page: its cursor and the highest stamp read, or, the
    pass complete, the watermark at that stamp (never moved back)."""
    if step.sweep:  # the field is the sweep's cursor ("" once complete: start over next time)
        _save(source, **{step.field: cursor})
        return
    progress = dict(source.pull_progress or {})
    state = progress.pop(step.field, None) or {}
    known = [s for s in (state.get("seen"), getattr(source, step.field)) if s]
    seen = max(stamps + known, key=client.stamp_key(step.stamp)) if stamps or known else ""
    if cursor:
        progress[step.field] = {"cursor": cursor, "seen": seen}
        _save(source, pull_progress=progress)
    else:
        _save(source, pull_progress=progress, **{step.field: seen})


def _save(source: PullSource, **values) -> None:
    PullSource.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)


def _process(stored: list[Submission], counts: PullCounts) -> None:
    received = [s for s in stored if s.status == Status.RECEIVED]
    if not received:
        return
    # Superseded: the versions this page's edits replaced, and the past versions that arrived
    # after their edit (the processing's own count has only the latter).
    roots = {s.root_id for s in received}
    superseded = Submission.objects.filter(root_id__in=roots, status=Status.SUPERSEDED)
    before = superseded.count()
    result = submissions_process(received)
    counts.accepted += result[Status.ACCEPTED]
    counts.quarantined += result[Status.QUARANTINED]
    counts.superseded += superseded.count() - before
    counts.refused += result[Status.REFUSED]


def _owner_check(source: PullSource) -> None:
    """A source runs only under an active owner whose role may send its form: the owner's
    scope is what the pulled data is checked against (sites, edits)."""
    owner = source.owner
    if owner is None or not owner.is_active:
        raise PullError(
            _(
                "The source has no active owner: set the account answerable for it (its role "
                "and geographic scope apply to what is pulled) in the pull source's settings."
            )
        )
    mapper = get_mapper(source.form_id)
    if mapper is None:
        raise PullError(_("The form '%s' is not known to this server.") % source.form_id)
    if not (owner.has_perm("intake.submit_data") and owner.has_perm(mapper.permission)):
        raise PullError(
            _("The owner %(owner)s may not send the form '%(form)s'.")
            % {"owner": owner.get_username(), "form": source.form_id}
        )


def _pages(client, source: PullSource, step: Pass, *, full: bool):
    """The pages of a pass: resumed from the saved cursor when there is one; if the server
    refuses it at once (a link it no longer answers), from the watermark again."""
    since = "" if full else getattr(source, step.field)
    cursor = "" if step.sweep else (source.pull_progress or {}).get(step.field, {}).get("cursor")
    pages = client.pages(stamp=step.stamp, since=since, cursor=cursor or "")
    if not cursor:
        yield from pages
        return
    try:
        first = next(pages, None)
    except PullError as exc:
        log.warning(
            "%s: the saved cursor was refused (%s); reading from the watermark", source, exc
        )
        progress = dict(source.pull_progress)
        progress.pop(step.field, None)
        _save(source, pull_progress=progress)
        yield from client.pages(stamp=step.stamp, since=since)
        return
    if first is not None:
        yield first
        yield from pages


def _run_pass(source, client, step: Pass, counts: PullCounts, *, full: bool) -> None:
    for page in _pages(client, source, step, full=full):
        if page.rows:
            counts.pages += 1
            counts.fetched += len(page.rows)
            _process(_store_page(source, client, page, step=step, counts=counts), counts)
        elif not page.cursor:
            with transaction.atomic():
                _advance(source, client, step, [], "")


def pull_source_run(*, source: PullSource, full: bool = False) -> PullCounts:
    """Pull what is new on `source` since its watermarks (everything with `full`), as its
    owner's: a source without an owner allowed to send its form does not run."""
    _owner_check(source)
    counts = PullCounts()
    # Left "received" by an interrupted run (stored, then killed before processing).
    leftovers = list(
        Submission.objects.filter(
            channel=source.channel, form_id=source.form_id, status=Status.RECEIVED
        )
    )
    if leftovers:
        _process(leftovers, counts)
    if full:
        _save(source, pull_progress={})
    client = None
    try:
        client = _client(source)
        complete = False  # whether the submissions pass read everything (first run, --full)
        for step in client.passes:
            if not step.sweep:
                complete = complete or not (getattr(source, step.field) and not full)
            elif complete:
                # Every current version was just read: no sweep of the edited records needed.
                _save(source, **{step.field: ""})
                continue
            _run_pass(source, client, step, counts, full=full)
    except PullError:
        raise
    except Exception as exc:  # pyodk and requests errors, unreadable JSON
        raise PullError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if client is not None:
            client.close()
    return counts


def pull_sources_run(*, full: bool = False, names: list[str] | None = None):
    """Run every enabled source; yields (source, counts or None, error message)."""
    sources = PullSource.objects.filter(enabled=True).order_by("name")
    if names:
        sources = sources.filter(name__in=names)
    for source in sources:
        try:
            counts = pull_source_run(source=source, full=full)
        except PullError as exc:
            PullSource.objects.filter(pk=source.pk).update(
                last_run_at=timezone.now(),
                last_status=PullSource.RunStatus.FAILED,
                last_message=str(exc)[:2000],
            )
            yield source, None, str(exc)
        else:
            PullSource.objects.filter(pk=source.pk).update(
                last_run_at=timezone.now(),
                last_status=PullSource.RunStatus.OK,
                last_message="",
                last_counts=counts.as_dict(),
            )
            yield source, counts, ""
