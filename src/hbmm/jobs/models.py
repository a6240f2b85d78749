"""A job: one piece of background work as the people who asked for it see it.

The task framework (`django_tasks`) carries the work to a worker; its result records know
neither who asked, nor how far a run got, nor what it found, and live in Redis for a while
only with the RQ backend. A Job row is HBMM's record of the work on any backend: its owner,
its progress, its outcome, its lease (the heartbeat of the worker running it) and the lock
that keeps two runs of the same thing apart.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=40)
    # The task (module path of a `hbmm.jobs.runner.job_task`) and its parameters: what a
    # worker runs, and what is queued again when a run is lost.
    task_path = models.CharField(_("task"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    label = models.CharField(_("label"), max_length=255)
    # What the job works on ("intake.importfile:12"): the page that shows it links it.
    target = models.CharField(_("target"), max_length=100, blank=True, db_index=True)
    # Two jobs with the same key are never queued or running at once (a pull source, a file).
    lock_key = models.CharField(_("lock"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # The task framework's result id of the current run ("" until it is handed to a backend).
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    backend = models.CharField(_("backend"), max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("runs at most"), default=3)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("to do"), null=True, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        permissions = [("view_all_jobs", _("Can see every user's jobs"))]
        constraints = [
            models.UniqueConstraint(
                fields=["lock_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(lock_key=""),
                name="job_one_active_per_lock",
            )
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
            models.Index(fields=["requested_by", "-created_at"], name="job_owner_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}: {self.label}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))
