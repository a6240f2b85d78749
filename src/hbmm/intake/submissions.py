"""The rules of a stored submission, in one place for every path that writes one: the row path
(one submission at a time: OpenRosa, web forms, pulls, reviews, a file batch whose set-based
save failed) and the bulk path (a file's batch in one insert, `intake.bulk`).

- **One stored copy per instance id.** A different payload under a known instance id
  (`conflict`) and an edit its sender may not make (`refused`) are copies kept for review
  beside it: never current, never a version, never blocking the instance id (the database's
  `submission_unique_instance` leaves them out).
- **root_id.** A version's root is the one the channel names (ODK Central's `__id`, Kobo's
  `meta/rootUuid`), else the root of the version it edits (`deprecatedID`), else its own
  instance id (`root_resolve`).
- **is_current.** The accepted version of a root is its current one: a new version is current
  when it is stored accepted (`submission_fields`); accepting versions supersedes the current
  version of their roots (`submissions_accept`); the database keeps one per root
  (`submission_one_current_per_root`).
- **Status.** `received` -> `accepted` | `quarantined` (with its reasons) | `superseded` (a
  past version: it arrived after an edit of it, or claims a root without naming the version it
  edits) | `refused` (an edit its sender may not make, moved out of the instance's slot). A
  quarantined version keeps its place: a current version whose correction fails stays current
  with its records until corrected.
- **Protection.** The checksum is of the raw payload; a form that carries identifiers has its
  payload and identifier fields stored encrypted (`identifiers.Protection`).
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from hbmm.db import concrete_columns, dict_rows, ids_reserve, insert_rows
from hbmm.intake.identifiers import Protection, error_dicts
from hbmm.intake.mappers import FieldError, Item, Mapper
from hbmm.intake.models import Submission, sha256

Status = Submission.Status
COPIES = Submission.COPY_STATUSES


def root_resolve(*, instance_id: str, root_id: str = "", deprecated_id: str = "") -> str:
    """The root of a new version: the root the channel names, else the root of the version it
    edits (or the edited instance id, when that version was not received), else itself."""
    if root_id:
        return root_id
    if deprecated_id:
        previous = (
            Submission.objects.filter(instance_id=deprecated_id)
            .filter(Submission.not_a_copy())
            .values_list("root_id", flat=True)
            .first()
        )
        return previous or deprecated_id
    return instance_id


def submission_fields(
    fields: dict,
    *,
    protection: Protection,
    root_id: str,
    status: str = Status.RECEIVED,
    errors: list[FieldError] | None = None,
    site=None,
    processed_at=None,
    checksum: str | None = None,
) -> dict:
    """The stored fields of a new submission: `fields` as received (channel, form, instance
    id, payload, parsed data, submitter, file and row...), the checksum of the raw payload,
    the payload and identifier fields protected, the reasons stored without identifier
    values; current when stored accepted. `submission_new` makes one submission of them (the
    row path), `submissions_insert` stores many at once (the bulk path). `checksum`: the
    payload's, when the caller has it already (a file row's instance id is made of it)."""
    payload, data, envelope = protection.split(fields["payload"], fields["data"])
    return {
        **fields,
        "payload": payload,
        "data": data,
        "protected": envelope,
        "checksum": checksum or sha256(fields["payload"]),
        "root_id": root_id,
        "status": status,
        "is_current": status == Status.ACCEPTED,
        "errors": error_dicts(errors, protection.mapper) if errors else [],
        "site": site,
        "processed_at": processed_at,
    }


def submission_new(fields: dict, **rules) -> Submission:
    """A new submission as it is stored (`submission_fields`), not saved yet."""
    return Submission(**submission_fields(fields, **rules))


class Inserted:
    """A submission `submissions_insert` stored: its id, and the model instance built on first
    use (a million-row import whose domain service needs only the id does not pay for one
    instance per row)."""

    __slots__ = ("_fields", "pk")

    def __init__(self, pk: int, fields: dict):
        self.pk, self._fields = pk, fields

    def load(self) -> Submission:
        submission = Submission(pk=self.pk, **self._fields)
        submission._state.adding, submission._state.db = False, "default"
        return submission


_COLUMNS = concrete_columns(Submission)


def submissions_insert(stored: list[dict]) -> list[Inserted]:
    """Store new submissions (each as `submission_fields` gives it) with one insert, their ids
    reserved first so that nothing has to find them again. Inside the caller's transaction; a
    broken rule (a second copy of an instance id, a second current version of a root) raises
    IntegrityError and the transaction rolls back."""
    if not stored:
        return []
    ids = ids_reserve(Submission, len(stored))
    rows = dict_rows(Submission, _COLUMNS, stored)
    insert_rows(
        Submission,
        ("id", *_COLUMNS),
        [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
    )
    return [Inserted(pk, fields) for pk, fields in zip(ids, stored, strict=True)]


# --- Outcomes of processing ------------------------------------------------------------------


def submission_quarantine(
    submission: Submission, errors: list[FieldError], *, mapper: Mapper | None, site=None
) -> None:
    """Keep `submission` out of the domain with every reason (its current place, if it has
    one, is kept: see the module's rules)."""
    submission.status = Status.QUARANTINED
    submission.errors = error_dicts(errors, mapper)
    submission.processed_at = timezone.now()
    submission.site = site
    submission.save(update_fields=["status", "errors", "processed_at", "site"])


def submission_refuse(
    submission: Submission, error: FieldError, *, mapper: Mapper | None, site=None
) -> None:
    """An edit its sender may not make: kept as a refused copy, out of the instance's slot."""
    submission.status, submission.is_current = Status.REFUSED, False
    submission.errors = error_dicts([error], mapper)
    submission.processed_at = timezone.now()
    submission.site = site
    submission.save(update_fields=["status", "is_current", "errors", "processed_at", "site"])


def submission_supersede(submission: Submission) -> None:
    """A past version (it arrived after an edit of it, or claims a root without naming the
    version it edits): kept, never applied over the current one."""
    submission.status = Status.SUPERSEDED
    submission.processed_at = timezone.now()
    submission.save(update_fields=["status", "processed_at"])


def submissions_accept(items: list[Item], current_roots: set | None = None) -> None:
    """Accept the submissions of `items` (their records saved), each becoming the current
    version of its root and superseding the one that was. `current_roots`: the roots known to
    have a current version (None: look for them all)."""
    now = timezone.now()
    roots = [i.submission.root_id for i in items]
    if current_roots is not None:
        roots = [r for r in roots if r in current_roots]
    if roots:
        own = [i.submission.pk for i in items]
        Submission.objects.filter(root_id__in=roots, is_current=True).exclude(pk__in=own).update(
            is_current=False, status=Status.SUPERSEDED
        )
    # One UPDATE per site (a batch usually covers a handful), not a CASE over every row.
    by_site: dict = {}
    for item in items:
        sub = item.submission
        sub.status, sub.is_current, sub.errors, sub.processed_at = Status.ACCEPTED, True, [], now
        site = item.cleaned.get("site")
        sub.site = site if hasattr(site, "pk") else None
        by_site.setdefault(sub.site, []).append(sub.pk)
    for site, pks in by_site.items():
        Submission.objects.filter(pk__in=pks).update(
            status=Status.ACCEPTED, is_current=True, errors=[], processed_at=now, site=site
        )


# --- Versions: what an edit replaces, what came after ----------------------------------------


def versions_replaced(*, instance_id: str, root_id: str, deprecated_id: str) -> list[Submission]:
    """The stored versions an edit would replace: the one it names and its root's current one."""
    query = Q(instance_id=deprecated_id) | Q(root_id=root_id, is_current=True)
    return list(
        Submission.objects.filter(query)
        .filter(Submission.not_a_copy())
        .exclude(instance_id=instance_id)
        .select_related("site__area")
    )


def edited_later(instance_ids: Iterable[str]) -> set[str]:
    """Those of `instance_ids` that a stored edit names (their edit arrived first)."""
    return set(
        Submission.objects.filter(deprecated_id__in=list(instance_ids))
        # Never true of an instance id, but it lets SQLite use the partial index.
        .exclude(deprecated_id="")
        .exclude(status__in=[*COPIES, Status.QUARANTINED])
        .values_list("deprecated_id", flat=True)
    )


def current_versions(root_ids: Iterable[str]) -> dict[str, Submission]:
    """The current version of each of these roots that has one."""
    return {
        s.root_id: s
        for s in Submission.objects.filter(
            root_id__in=set(root_ids), is_current=True
        ).select_related("site__area")
    }


def versions_named(instance_ids: set[str]) -> dict[str, Submission]:
    """The stored versions of these instance ids (what edits name), copies left out."""
    if not instance_ids:
        return {}
    return {
        s.instance_id: s
        for s in Submission.objects.filter(instance_id__in=instance_ids)
        .filter(Submission.not_a_copy())
        .select_related("site__area")
    }
