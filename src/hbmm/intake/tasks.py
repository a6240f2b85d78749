"""Background work of the intake app, on the jobs app (Django's task framework):

- `import_file_read`: read a stored file's rows through its form's mapper (web uploads; the
  queue's retry replaces the cron `hbmm import --resume`, which stays as a manual tool);
- `pull_source`: pull one ODK Central / KoboToolbox source; `pulls_schedule` (run by every
  worker's tick) queues the sources whose interval has come;
- `submissions_map`: map the OpenRosa submissions a request stored and answered (201) without
  mapping them, in batches; `submissions_map_schedule` (every worker's tick) queues it when
  some wait, should a request have found the job just finishing.

All are idempotent, which is what makes a retry after a killed worker safe: a row or a
record stored by the lost run is recognised by its instance id and counted by its outcome,
not stored again (`bulk._split`, `channels.pulls._store_page`); a submission stays received
until its mapping commits (`process.received_map_batch`).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from hbmm.intake.bulk import BATCH_SIZE
from hbmm.intake.channels.files import import_file_run
from hbmm.intake.channels.pulls import pull_sources_run
from hbmm.intake.models import ImportFile, PullSource
from hbmm.intake.process import outcome_counts, received_map_batch, received_waiting
from hbmm.jobs.presenters import number
from hbmm.jobs.runner import JobError, JobRun, job_task
from hbmm.jobs.selectors import job_active_with_lock
from hbmm.jobs.services import job_abandon, job_enqueue, job_lost

# --- File imports ------------------------------------------------------------------------


def import_target(import_file_id: int) -> str:
    return f"intake.importfile:{import_file_id}"


@job_task
def import_file_read(run: JobRun, *, import_file_id: int, batch_size: int = BATCH_SIZE) -> dict:
    record = ImportFile.objects.get(pk=import_file_id)

    def progress(rows_read: int) -> None:
        run.progress(rows_read, record.rows_total)

    # The run is audited as the user who asked for it (and checked against their scope).
    record = import_file_run(
        import_file=record, batch_size=batch_size, progress=progress, by=run.job.requested_by
    )
    if record.status == ImportFile.Status.FAILED:
        raise JobError(record.error)
    return {
        "import_file": record.pk,
        "read": record.rows_read,
        "accepted": record.rows_accepted,
        "quarantined": record.rows_quarantined,
        "duplicate": record.rows_duplicate,
    }


def import_file_enqueue(*, import_file: ImportFile, by=None, batch_size: int = BATCH_SIZE):
    """Queue the reading of a stored file: (job, created); a file already queued or being
    read is not queued twice (created False, that job returned)."""
    params = {"import_file_id": import_file.pk}
    if batch_size != BATCH_SIZE:
        params["batch_size"] = batch_size
    return job_enqueue(
        kind="import",
        task=import_file_read,
        params=params,
        label=import_file.original_name,
        requested_by=by,
        target=import_target(import_file.pk),
        lock_key=f"import:{import_file.pk}",
    )


def import_describe(outcome: dict) -> str:
    read, accepted = outcome.get("read", 0), outcome.get("accepted", 0)
    quarantined, duplicate = outcome.get("quarantined", 0), outcome.get("duplicate", 0)
    return ", ".join(
        [
            npgettext("rows of a file", "%(n)s row read", "%(n)s rows read", read)
            % {"n": number(read)},
            npgettext("rows of a file", "%(n)s accepted", "%(n)s accepted", accepted)
            % {"n": number(accepted)},
            npgettext("rows of a file", "%(n)s quarantined", "%(n)s quarantined", quarantined)
            % {"n": number(quarantined)},
            npgettext(
                "rows of a file", "%(n)s already received", "%(n)s already received", duplicate
            )
            % {"n": number(duplicate)},
        ]
    )


def import_link(job) -> str | None:
    pk = job.params.get("import_file_id")
    return reverse("intake:import", args=[pk]) if pk else None


# --- Pulls from ODK Central and KoboToolbox ---------------------------------------------------


@job_task
def pull_source(run: JobRun, *, source_id: int, full: bool = False) -> dict:
    source = PullSource.objects.filter(pk=source_id).first()
    if source is None:
        raise JobError(_("This pull source was deleted."))
    for _source, counts, error in pull_sources_run(full=full, names=[source.name]):
        if counts is None:
            raise JobError(error)
        return {"source": source.pk, **counts.as_dict()}
    return {"source": source.pk, "disabled": True}


def _pull_job(*, source: PullSource, by, full: bool) -> dict:
    params = {"source_id": source.pk}
    if full:
        params["full"] = True
    return {
        "kind": "pull",
        "task": pull_source,
        "params": params,
        "label": f"{source.name} [{source.form_id}]",
        "requested_by": by,
        "target": f"intake.pullsource:{source.pk}",
        # One run at a time per source, whoever starts it (schedule, "Pull now", hbmm sync).
        "lock_key": f"pull:{source.pk}",
    }


def pull_enqueue(*, source: PullSource, by=None, full: bool = False):
    """Queue a pull of `source`: (job, created); none while one is queued or running."""
    return job_enqueue(**_pull_job(source=source, by=by, full=full))


def pull_run_here(*, source: PullSource, full: bool = False):
    """Run a pull of `source` in this process (`hbmm sync`), under the same lock as the
    queued pulls: (job, ran); ran is False when another run of the source holds the lock.
    A run holding it whose process was killed (`hbmm sync` killed, no worker to recover it)
    is ended as failed and the pull runs here: it resumes from the watermarks."""
    job, created = job_enqueue(**_pull_job(source=source, by=None, full=full), dispatch=False)
    if not created and job_lost(job):
        with translation.override(settings.HBMM_DATA_LANGUAGE):
            error = _("The process running this pull stopped (killed); it was run again.")
        if job_abandon(job, error=error):
            job, created = job_enqueue(
                **_pull_job(source=source, by=None, full=full), dispatch=False
            )
    if created:
        pull_source.call(job.pk)
        job.refresh_from_db()
    return job, created


def pulls_schedule(*, now: dt.datetime | None = None) -> list[int]:
    """Queue a pull of each enabled source whose interval has come; returns their ids. The
    next time is claimed by a conditional update: when several workers tick at once, one of
    them queues the pull."""
    now = now or timezone.now()
    due = PullSource.objects.filter(enabled=True, pull_interval__gt=0).filter(
        Q(next_pull_at__isnull=True) | Q(next_pull_at__lte=now)
    )
    queued = []
    for source in due:
        claimed = PullSource.objects.filter(pk=source.pk, next_pull_at=source.next_pull_at).update(
            next_pull_at=now + dt.timedelta(minutes=source.pull_interval)
        )
        if claimed:
            _job, created = pull_enqueue(source=source)
            if created:
                queued.append(source.pk)
    return queued


def pull_describe(outcome: dict) -> str:
    if outcome.get("disabled"):
        return _("The source is disabled: nothing was pulled.")
    fetched, new = outcome.get("fetched", 0), outcome.get("new", 0)
    accepted, quarantined = outcome.get("accepted", 0), outcome.get("quarantined", 0)
    return ", ".join(
        [
            npgettext("pulled records", "%(n)s record fetched", "%(n)s records fetched", fetched)
            % {"n": number(fetched)},
            npgettext("pulled records", "%(n)s new", "%(n)s new", new) % {"n": number(new)},
            npgettext("pulled records", "%(n)s accepted", "%(n)s accepted", accepted)
            % {"n": number(accepted)},
            npgettext("pulled records", "%(n)s quarantined", "%(n)s quarantined", quarantined)
            % {"n": number(quarantined)},
        ]
    )


# --- OpenRosa submissions mapped after their 201 ------------------------------------------------

MAP_LOCK = "intake:submissions-map"


@job_task
def submissions_map(run: JobRun, *, batch_size: int = 500) -> dict:
    """Map the waiting submissions, a batch at a time, until none is left."""
    counts = outcome_counts()
    done = 0
    while (batch := received_map_batch(batch_size)) is not None:
        for outcome, n in batch.items():
            counts[outcome] += n
        done += sum(batch.values())
        run.progress(done)
    return {"mapped": done, **counts}


def submissions_map_enqueue() -> bool:
    """Queue the mapping job unless one is queued or running (that one maps what was just
    stored, or the next tick queues another: `submissions_map_schedule`). True when queued."""
    if job_active_with_lock(lock_key=MAP_LOCK) is not None:
        return False
    with translation.override(settings.HBMM_DATA_LANGUAGE):
        label = submissions_map_title(None)
    _job, created = job_enqueue(
        kind="submissions_map", task=submissions_map, params={}, label=label, lock_key=MAP_LOCK
    )
    return created


def submissions_map_schedule() -> bool:
    """Queue the mapping job when submissions wait (a request that found the job running as
    it was ending queued none)."""
    return received_waiting().exists() and submissions_map_enqueue()


def submissions_map_describe(outcome: dict) -> str:
    mapped = outcome.get("mapped", 0)
    accepted, quarantined = outcome.get("accepted", 0), outcome.get("quarantined", 0)
    return ", ".join(
        [
            npgettext("submissions", "%(n)s submission mapped", "%(n)s submissions mapped", mapped)
            % {"n": number(mapped)},
            npgettext("submissions", "%(n)s accepted", "%(n)s accepted", accepted)
            % {"n": number(accepted)},
            npgettext("submissions", "%(n)s quarantined", "%(n)s quarantined", quarantined)
            % {"n": number(quarantined)},
        ]
    )


def submissions_map_title(job) -> str:
    """In the reader's language (the label is in the language of the request that queued it)."""
    return _("Submissions received from ODK Collect and Enketo")
