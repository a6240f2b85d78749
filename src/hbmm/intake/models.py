"""Raw submissions, kept immutable, and what the pipeline made of them.

Every submission, uploaded file and pulled record is stored here *before* it is parsed
(DESIGN.md, data principle 1). The raw payload and its checksum never change; parsing,
corrections and the mapping outcome live in separate fields beside it.
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.fields import EncryptedTextField


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class Channel(models.TextChoices):
    OPENROSA = "openrosa", _("ODK Collect / Enketo (OpenRosa)")
    ODK_CENTRAL = "odk_central", _("ODK Central pull")
    KOBO = "kobo", _("KoboToolbox pull")
    FILE = "file", _("file import")
    WEB = "web", _("web form")
    API = "api", _("API (JSON)")


class ImportFile(models.Model):
    """An uploaded CSV/XLSX file, kept as received; each of its rows becomes a Submission."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=60)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="intake/files/%Y/%m/")
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_quarantined = models.PositiveIntegerField(_("rows quarantined"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("rows already received"), default=0)
    error = models.TextField(_("error"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The mapper's import options chosen at upload (Mapper.import_options): a run again of the
    # file reads it the same way.
    options = models.JSONField(_("import options"), default=dict, blank=True)
    # Set when the run starts and after each batch: a run with no news for INTERRUPTED_AFTER
    # was stopped (server restarted, process killed) and can be run again.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    INTERRUPTED_AFTER = dt.timedelta(minutes=10)

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"

    @property
    def is_interrupted(self) -> bool:
        """Running (or waiting to run), by its status, but with no progress for a while: its
        run was stopped, or never started (the server restarted right after the upload)."""
        if self.status not in (self.Status.RUNNING, self.Status.PENDING):
            return False
        last = self.heartbeat_at or self.uploaded_at
        return timezone.now() - last > self.INTERRUPTED_AFTER

    @property
    def percent(self) -> int | None:
        """How far the run got, when the file's size in rows is known."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(100, round(100 * self.rows_read / self.rows_total))

    def status_label(self) -> str:
        return str(_("interrupted")) if self.is_interrupted else self.get_status_display()


class Submission(models.Model):
    """One received submission (or file row), raw and immutable, and its processing outcome."""

    scope_site_lookup = "site"
    scope_area_lookup = "site__area"
    scope_known_at = "received_at"

    class Status(models.TextChoices):
        RECEIVED = "received", _("received, not processed")
        ACCEPTED = "accepted", _("accepted")
        QUARANTINED = "quarantined", _("quarantined")
        SUPERSEDED = "superseded", _("superseded by an edit")
        CONFLICT = "conflict", _("conflicting copy of a known instance")
        REFUSED = "refused", _("refused edit (kept for review)")

    # Copies kept for review beside the stored submission of their instance id: a changed
    # copy (conflict) and an edit the sender was not allowed to make (refused). They are
    # outside the one-stored-copy-per-instance rule and never become a version.
    COPY_STATUSES = ("conflict", "refused")

    class Format(models.TextChoices):
        XML = "xml", "XML"
        JSON = "json", "JSON"
        ROW = "row", _("file row")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # Indexed with the status (Meta.indexes): every index costs each of a million imported rows.
    form_id = models.CharField(_("form id"), max_length=100)
    form_version = models.CharField(_("form version"), max_length=100, blank=True)
    instance_id = models.CharField(_("instance id"), max_length=255)
    # The first instance id of an edited submission (deprecatedID chain, Central's __id,
    # Kobo's meta/rootUuid); equal to instance_id for an original. Looked up only for the
    # current version, through the partial unique index below.
    root_id = models.CharField(_("root id"), max_length=255)
    deprecated_id = models.CharField(_("replaces instance"), max_length=255, blank=True)
    is_current = models.BooleanField(_("current version"), default=False)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitter_name = models.CharField(_("submitter name"), max_length=150, blank=True)
    device_id = models.CharField(_("device"), max_length=150, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    # The payload as received; empty when the form carries identifiers (Mapper.
    # identifier_fields): the payload is then in `protected`, encrypted.
    payload = models.TextField(_("raw payload"))
    payload_format = models.CharField(_("payload format"), max_length=4, choices=Format.choices)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)
    source_file = models.ForeignKey(
        ImportFile,
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    # The site the submission is about, once the mapper has resolved it: scopes the review.
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    data = models.JSONField(_("parsed fields"), default=dict)
    corrections = models.JSONField(_("corrections"), default=dict, blank=True)
    errors = models.JSONField(_("reasons"), default=list, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # True while a submission sent in several parts (ODK Collect's *isIncomplete*) waits for
    # its last part: the mapping job leaves it received until then. Null otherwise (nullable:
    # adding it is instant on a table of millions of rows, on SQLite too).
    awaiting_parts = models.BooleanField(_("waiting for its last part"), null=True, blank=True)
    # For the forms that carry identifiers, encrypted JSON: {"payload": the raw payload,
    # "data": the identifier fields left out of `data`, "corrections": corrections of them}.
    # Read through selectors.submission_protected_read (permission checked, read logged).
    # Nullable: adding it to a table of millions of rows is then instant on SQLite too.
    protected = EncryptedTextField(_("protected values (encrypted)"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("review_submission", _("Can review, correct and reprocess quarantined submissions")),
            ("submit_data", _("Can send field data (forms, files)")),
        ]
        constraints = [
            # One stored copy per instance id: two workers racing cannot both store it.
            models.UniqueConstraint(
                fields=["instance_id"],
                condition=~models.Q(status__in=["conflict", "refused"]),
                name="submission_unique_instance",
            ),
            # One current version per logical submission.
            models.UniqueConstraint(
                fields=["root_id"],
                condition=models.Q(is_current=True),
                name="submission_one_current_per_root",
            ),
        ]
        indexes = [
            models.Index(fields=["form_id", "status"]),
            # Finding later edits of a batch (deprecatedID chains) without a scan; only edits
            # have a deprecated id, so the index leaves out the many originals.
            models.Index(
                fields=["deprecated_id"],
                condition=~models.Q(deprecated_id=""),
                name="submission_deprecated_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id}"

    @classmethod
    def not_a_copy(cls) -> RawSQL:
        """The condition "not a copy" (status not in COPY_STATUSES) written word for word as
        the one of the index `submission_unique_instance`, statuses inline: SQLite uses a
        partial index only for a query that repeats its condition, and with the statuses
        as parameters (`.exclude(status__in=...)`) a look-up by instance id reads the whole
        table (185 ms a submission received, at 100,000 stored; benchmarks/crash_resume.py).
        """
        statuses = ", ".join(f"'{status}'" for status in cls.COPY_STATUSES)
        return RawSQL(
            f'NOT ("intake_submission"."status" IN ({statuses}))',
            [],
            output_field=models.BooleanField(),
        )

    @property
    def protected_values(self) -> dict:
        """The decrypted envelope of `protected` ({} for a form without identifiers)."""
        return json.loads(self.protected) if self.protected else {}

    @property
    def raw_payload(self) -> str:
        """The payload as received, wherever it is kept. Holds identifiers when the form
        carries them: show it only through selectors.submission_protected_read."""
        return (
            self.protected_values.get("payload", self.payload) if self.protected else self.payload
        )

    @property
    def effective_data(self) -> dict:
        """The parsed fields with the reviewer's corrections applied (raw payload untouched),
        identifiers included: what the mapper reads. Not for display (see public_data)."""
        envelope = self.protected_values
        return {
            **self.data,
            **envelope.get("data", {}),
            **self.corrections,
            **envelope.get("corrections", {}),
        }

    @property
    def public_data(self) -> dict:
        """The parsed fields and corrections without the identifier fields."""
        return {**self.data, **self.corrections}

    @property
    def protected_names(self) -> list[str]:
        """The identifier fields held apart (names only)."""
        envelope = self.protected_values
        return sorted({*envelope.get("data", {}), *envelope.get("corrections", {})})


class SubmissionAttachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to="intake/attachments/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="attachment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Correction(models.Model):
    """A reviewer's change to a submission's parsed fields; the raw payload is never edited."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="correction_log"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # {field: [old, new]}; an identifier field is named with None, its values in `protected`.
    changes = models.JSONField(_("changes"))
    note = models.TextField(_("note"), blank=True)
    protected = EncryptedTextField(_("protected changes (encrypted)"), blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.at:%Y-%m-%d %H:%M}"

    @property
    def protected_changes(self) -> dict:
        """{identifier field: [old, new]}, decrypted."""
        return json.loads(self.protected) if self.protected else {}


class Form(models.Model):
    """An XLSForm shipped in `intake/forms/`, converted to an XForm once per file content.

    Rows are keyed by the checksum of the .xlsx: changing the file makes a new row (and, since
    its version must change too, a new form version for the phones); the old rows stay, so a
    submission made with an old version can still be traced to its definition.
    """

    form_id = models.CharField(_("form id"), max_length=100, db_index=True)
    version = models.CharField(_("version"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    xlsx_sha256 = models.CharField(_("XLSForm checksum (SHA-256)"), max_length=64, unique=True)
    xml = models.TextField(_("XForm XML"))
    md5 = models.CharField(_("XForm MD5"), max_length=32)
    warnings = models.JSONField(_("conversion warnings"), default=list, blank=True)
    converted_at = models.DateTimeField(_("converted at"), default=timezone.now)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["form_id", "-converted_at"]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.version}"


class PullSource(models.Model):
    """A form on an ODK Central or KoboToolbox server whose submissions `hbmm sync` pulls."""

    class Kind(models.TextChoices):
        ODK_CENTRAL = "odk_central", _("ODK Central")
        KOBO = "kobo", _("KoboToolbox")

    class RunStatus(models.TextChoices):
        NEVER = "", _("never run")
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.CharField(_("server type"), max_length=20, choices=Kind.choices)
    server_url = models.URLField(
        _("server URL"),
        help_text=_("e.g. https://central.example.org or https://kf.kobotoolbox.org"),
    )
    project_id = models.CharField(
        _("project id"), max_length=50, blank=True, help_text=_("ODK Central project number.")
    )
    remote_form_id = models.CharField(
        _("form on the server"),
        max_length=100,
        help_text=_("ODK Central form id (xmlFormId) or KoboToolbox asset uid."),
    )
    form_id = models.CharField(
        _("HBMM form"), max_length=100, help_text=_("The HBMM form (mapper) the data is for.")
    )
    username = models.CharField(
        _("user name"), max_length=150, blank=True, help_text=_("ODK Central e-mail address.")
    )
    # Clear text on the model, a Fernet token in the database (rotated by `hbmm rotate_keys`).
    secret_encrypted = EncryptedTextField(_("password or token (encrypted)"), blank=True)
    # The account answerable for what the source brings in: its role must hold the form's
    # permission, and its geographic scope is the source's (sites outside it are quarantined,
    # edits of records outside it refused). A source without one does not run.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The account answerable for this source: the data it brings in is checked against "
            "this account's role and geographic scope."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    page_size = models.PositiveIntegerField(
        _("page size asked for"),
        default=100,
        help_text=_("Rows asked per page; the server may send fewer, pages are followed."),
    )
    # Submission time of the last stored record (ISO 8601, as the server wrote it).
    watermark = models.CharField(_("submissions up to"), max_length=40, blank=True)
    # ODK Central: update time of the last stored edit (__system/updatedAt). KoboToolbox: the
    # _id reached by an unfinished sweep of the edited records ("" when the sweep is complete).
    edit_watermark = models.CharField(_("edits up to"), max_length=40, blank=True)
    # A pass under way (channels.pulls): per watermark field, the cursor to the next page and
    # the highest stamp read so far, saved with each stored page; cleared when the pass ends.
    pull_progress = models.JSONField(_("pull in progress"), default=dict, blank=True)
    # Scheduled pulls (hbmm.intake.tasks.pulls_schedule, run by every worker's tick): every
    # `pull_interval` minutes (0: only `hbmm sync` and "Pull now"). `next_pull_at` is claimed
    # by a conditional update, so several workers start one pull, not several.
    pull_interval = models.PositiveIntegerField(
        _("pull every (minutes)"),
        default=0,
        help_text=_("0: no scheduled pull (only on demand). A worker must be running."),
    )
    next_pull_at = models.DateTimeField(_("next scheduled pull"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_status = models.CharField(
        _("last run status"), max_length=10, choices=RunStatus.choices, blank=True
    )
    last_message = models.TextField(_("last run message"), blank=True)
    last_counts = models.JSONField(_("last run counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pull source")
        verbose_name_plural = _("pull sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = secret or ""

    def get_secret(self) -> str:
        return self.secret_encrypted or ""
