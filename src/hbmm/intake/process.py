"""Process: map received submissions into the domain through their form's mapper, or keep
them out of it with every reason. Called by every channel after `intake.receive`, by the bulk
path when a batch's set-based save fails, and by the review (corrections, reprocessing). The
rules of versions and statuses are `intake.submissions`'; who may edit what is
`intake.edits`'.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from hbmm.intake import submissions
from hbmm.intake.edits import edit_refusal
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError, get_mapper
from hbmm.intake.models import Channel, Submission
from hbmm.intake.parsing import alias_map, apply_aliases
from hbmm.intake.submissions import Status
from hbmm.places.lookups import Lookups
from hbmm.places.models import Site

log = logging.getLogger(__name__)


def outcome_counts() -> dict[str, int]:
    """Submissions by outcome of their processing, all at zero."""
    return {Status.ACCEPTED: 0, Status.QUARANTINED: 0, Status.SUPERSEDED: 0, Status.REFUSED: 0}


def submissions_process(submissions_: Iterable[Submission], *, actor=None) -> dict[str, int]:
    """Map received submissions into domain records, or quarantine them with every reason.

    Submissions of one form are cleaned one by one and saved in one batch; if the batch save
    fails, each is saved on its own so that one bad row quarantines itself only. `actor`: the
    reviewer who corrects or reprocesses them (their role and scope apply, and the writes are
    theirs); by default each submission's submitter.
    Returns counts by outcome.
    """
    counts = outcome_counts()
    by_form: dict[str, list[Submission]] = {}
    for submission in submissions_:
        if submission.status in (Status.RECEIVED, Status.QUARANTINED, Status.ACCEPTED):
            by_form.setdefault(submission.form_id, []).append(submission)
    # Reasons are stored in the deployment's language, whoever triggered the processing (a
    # phone set to English, a French reviewer): one language in the quarantine.
    with translation.override(settings.HBMM_DATA_LANGUAGE):
        for form_id, batch in by_form.items():
            for outcome, n in _process_form_batch(form_id, batch, actor).items():
                counts[outcome] += n
    return counts


def _process_form_batch(form_id: str, batch: list[Submission], actor=None) -> dict[str, int]:
    counts = outcome_counts()
    mapper = get_mapper(form_id)
    if mapper is None:
        for submission in batch:
            error = FieldError("form_id", form_id, _("Unknown form."))
            submissions.submission_quarantine(submission, [error], mapper=None)
        counts[Status.QUARANTINED] += len(batch)
        return counts
    aliases = alias_map(mapper.aliases)
    site_field = mapper.site_field
    mapped = {id(s): apply_aliases(s.effective_data, aliases) for s in batch}
    sites = sites_named([d.get(site_field) for d in mapped.values()] if site_field else [])
    later_edits = submissions.edited_later(s.instance_id for s in batch)
    current = submissions.current_versions(s.root_id for s in batch)
    # The versions edits name (only edits have a deprecated id: none in a file's batch).
    named = submissions.versions_named({s.deprecated_id for s in batch if s.deprecated_id})
    # Only edits (and re-processing of accepted submissions) have a current version already.
    previous_records = {sub.pk: list(mapper.records_for(sub)) for sub in current.values()}

    items: list[Item] = []
    lookups = Lookups()  # the reference data this batch is checked against
    for submission in batch:
        previous = current.get(submission.root_id)
        # Reprocessing (a correction of) the current version itself: it replaces its own
        # records only, what it replaced when accepted is not in question again.
        is_current = previous is not None and previous.pk == submission.pk
        if is_current:
            previous = None
        if submission.instance_id in later_edits or (
            previous is not None and not submission.deprecated_id
        ):
            # Arrived after an edit of it (or claims a root without naming the version it
            # edits): a past version, never applied over the current one.
            submissions.submission_supersede(submission)
            counts[Status.SUPERSEDED] += 1
            continue
        data = mapped[id(submission)]
        sender = actor if actor is not None else submission.submitter
        if submission.deprecated_id and not is_current:
            versions = {v.pk: v for v in (named.get(submission.deprecated_id), previous) if v}
            versions.pop(submission.pk, None)
            refusal = edit_refusal(
                submission_form=form_id,
                deprecated_id=submission.deprecated_id,
                versions=list(versions.values()),
                sender=sender,
                mapper=mapper,
            )
            if refusal is not None:
                submissions.submission_refuse(
                    submission,
                    refusal.reason(),
                    mapper=mapper,
                    site=sites.get(data.get(site_field)),
                )
                counts[Status.REFUSED] += 1
                continue
        try:
            cleaned = mapper.clean(data, submitter=sender, lookups=lookups)
        except MappingError as exc:
            submissions.submission_quarantine(
                submission, exc.errors, mapper=mapper, site=sites.get(data.get(site_field))
            )
            counts[Status.QUARANTINED] += 1
            continue
        existing = previous_records.get(previous.pk, []) if previous else []
        if previous is None and submission.pk in previous_records:
            existing = previous_records[submission.pk]
        items.append(Item(submission=submission, cleaned=cleaned, existing=existing, actor=actor))

    saved = _save_items(mapper, items, current_roots=set(current))
    for item, errors in saved:
        if errors is not None:
            submissions.submission_quarantine(
                item.submission, errors, mapper=mapper, site=item.cleaned.get("site")
            )
            counts[Status.QUARANTINED] += 1
        else:
            counts[Status.ACCEPTED] += 1
    return counts


class SitesByCode(dict):
    """Sites by upper-case code, looked up by any spelling of it (`get`)."""

    def get(self, code, default=None):
        if not isinstance(code, str):
            return default
        return super().get(code.strip().upper(), default)


def sites_named(codes: list) -> SitesByCode:
    """Sites by (upper-case) code, so a quarantined item is filed under its site and the
    reviewers of that area see it."""
    wanted = {c.strip().upper() for c in codes if isinstance(c, str) and c.strip()}
    if not wanted:
        return SitesByCode()
    found = Site.objects.filter(code__in=wanted)
    return SitesByCode({site.code.upper(): site for site in found})


def errors_from(exc: Exception) -> list[FieldError]:
    """The reasons a domain save gave (a MappingError, a ValidationError, a database error)."""
    if isinstance(exc, MappingError):
        return exc.errors
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                FieldError(field, None, " ".join(m for e in errs for m in e.messages))
                for field, errs in exc.error_dict.items()
            ]
        return [FieldError("__all__", None, " ".join(exc.messages))]
    return [FieldError("__all__", None, _("The record could not be saved: %s") % exc)]


def _save_items(
    mapper: Mapper, items: list[Item], current_roots: set | None = None
) -> list[tuple[Item, list[FieldError] | None]]:
    """Save the batch's records and accept their submissions in one transaction; when that
    fails, each item alone, to find the culprit(s)."""
    if not items:
        return []
    try:
        with transaction.atomic():
            mapper.save(items)
            submissions.submissions_accept(items, current_roots)
        return [(item, None) for item in items]
    except (MappingError, ValidationError, IntegrityError) as exc:
        if len(items) == 1:
            return [(items[0], errors_from(exc))]
    results = []
    for item in items:
        results.extend(_save_items(mapper, [item], current_roots))
    return results


# --- Submissions received by a request, mapped later (`tasks.submissions_map`) --------------


def received_waiting():
    """The OpenRosa submissions stored by a request and waiting to be mapped: received, not
    waiting for a last part, oldest first (an edit after the version it names)."""
    return Submission.objects.filter(
        status=Status.RECEIVED, channel=Channel.OPENROSA, awaiting_parts__isnull=True
    ).order_by("received_at", "pk")


def received_map_batch(batch_size: int) -> dict[str, int] | None:
    """Map the oldest `batch_size` waiting submissions, in one transaction; None when none
    waits. Their rows are locked (skipped by another run on PostgreSQL; SQLite has one writer
    at a time), and a submission stays received until its mapping commits: a run killed
    half-way leaves its batch to the next run, mapped once."""
    with transaction.atomic():
        batch = list(received_waiting().select_for_update(skip_locked=True)[:batch_size])
        if not batch:
            return None
        counts = outcome_counts()
        for generation in _generations(batch):
            try:
                with transaction.atomic():
                    done = submissions_process(generation)
            except (OperationalError, InterfaceError):
                raise  # the database, not the submissions: the whole batch waits for a rerun
            except Exception:
                # A submission the mapper cannot handle must not block those behind it.
                done = _process_each(generation)
            for outcome, n in done.items():
                counts[outcome] += n
    return counts


def _generations(batch: list[Submission]) -> list[list[Submission]]:
    """The batch in order, cut before a submission whose root is already in the current part:
    two versions of one submission are mapped one after the other, as they arrived."""
    parts: list[list[Submission]] = [[]]
    roots: set[str] = set()
    for submission in batch:
        if submission.root_id in roots:
            parts.append([])
            roots = set()
        parts[-1].append(submission)
        roots.add(submission.root_id)
    return parts


def _process_each(batch: list[Submission]) -> dict[str, int]:
    """Each submission alone; one whose mapping raises is quarantined with the error."""
    counts = outcome_counts()
    for submission in batch:
        submission.refresh_from_db()  # as stored: the failed batch may have changed it in memory
        try:
            with transaction.atomic():
                done = submissions_process([submission])
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            log.exception("submission %s could not be mapped", submission.pk)
            with translation.override(settings.HBMM_DATA_LANGUAGE):
                errors = errors_from(exc)
            submission.refresh_from_db()
            submissions.submission_quarantine(
                submission, errors, mapper=get_mapper(submission.form_id)
            )
            done = {Status.QUARANTINED: 1}
        for outcome, n in done.items():
            counts[outcome] += n
    return counts
