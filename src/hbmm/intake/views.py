"""Pages of the intake app: submissions, quarantine review, file imports. Thin: selectors to
read, services to write."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import get_in_scope_or_404
from hbmm.exports import XLSX_TYPE, export_response
from hbmm.intake import selectors
from hbmm.intake.channels.files import import_file_store
from hbmm.intake.columns import DATE, DATETIME, column_for, import_columns, reasons_explained
from hbmm.intake.identifiers import identifier_keys
from hbmm.intake.import_files import example_row, workbook_bytes
from hbmm.intake.mappers import Mapper, get_mapper
from hbmm.intake.models import Channel, ImportFile, Submission
from hbmm.intake.review import submission_correct, submission_review_check
from hbmm.intake.review import submission_reprocess as reprocess
from hbmm.intake.tasks import import_file_enqueue, import_target
from hbmm.intake.webforms import CorrectionForm, ImportUploadForm
from hbmm.jobs import presenters as job_words
from hbmm.jobs.selectors import job_latest_for

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _mapper_of(submission) -> Mapper | None:
    return get_mapper(cast(Submission, submission).form_id)


def _reasons(submission) -> list[dict]:
    """The submission's reasons explained: field labels (as its file wrote them when no form
    labels the field) and what to do."""
    typed = cast(Submission, submission)
    return reasons_explained(_mapper_of(typed), typed.errors, names=typed.data)


def _explain(submissions) -> None:
    """Each submission of a page gains its reasons explained (field labels, what to do) and
    its form's title (the page keeps these instances: the template reads them again)."""
    for submission in submissions:
        submission.reasons = _reasons(submission)
        submission.form_title = _kind_title(submission.form_id)


def _human_title(submission) -> str:
    """ "Registre de suivi des flux · Gogui · 2020-04-22 · ligne 4 de flux.csv": the form, the
    site, the record's own date and where the row is in its file (not the instance id)."""
    submission = cast(Submission, submission)
    mapper = get_mapper(submission.form_id)
    parts = [_kind_title(submission.form_id)]
    if submission.site is not None:
        parts.append(str(submission.site.name))
    # The form's first date given (in the form's order: a JSON column keeps no key order).
    dates = {}
    for name, value in submission.public_data.items():
        column = column_for(mapper, name)
        if column is not None and column.kind in (DATE, DATETIME) and value:
            dates[column.name] = str(value)
    first = (
        next((c.name for c in import_columns(mapper) if c.name in dates), None) if mapper else None
    )
    if first is not None:
        parts.append(dates[first])
    if submission.source_file is not None and submission.row_number:
        parts.append(
            _("row %(row)s of %(file)s")
            % {"row": submission.row_number, "file": submission.source_file.original_name}
        )
    return " · ".join(parts)


def _form_choices(user) -> list[tuple[str, str]]:
    return [(f, _kind_title(f)) for f in selectors.submission_form_ids(user=user)]


def _kind_title(kind: str) -> str:
    """An import kind as its readers name it (the mapper's translated title), not its code."""
    mapper = get_mapper(kind)
    return str(mapper.title) if mapper is not None and mapper.title else kind


@login_required
@permission_required("intake.view_submission", raise_exception=True)
def submission_list(request):
    form_id = request.GET.get("form", "")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    submissions = selectors.submission_list(
        user=request.user, form_id=form_id, status=status, channel=channel
    )
    page = _page(request, submissions)
    _explain(page)
    return render(
        request,
        "intake/submission_list.html",
        {
            "page": page,
            "counts": selectors.submission_status_counts(user=request.user, form_id=form_id),
            "statuses": Submission.Status.choices,
            "channels": Channel.choices,
            "form_ids": _form_choices(request.user),
            "current": {"form": form_id, "status": status, "channel": channel},
        },
    )


@login_required
@permission_required("intake.review_submission", raise_exception=True)
def quarantine(request):
    form_id = request.GET.get("form", "")
    status = request.GET.get("status", "") or Submission.Status.QUARANTINED
    review = (Submission.Status.QUARANTINED, Submission.Status.CONFLICT, Submission.Status.REFUSED)
    if status not in review:
        status = Submission.Status.QUARANTINED
    items = selectors.submission_list(user=request.user, form_id=form_id, status=status)
    page = _page(request, items)
    _explain(page)
    return render(
        request,
        "intake/quarantine.html",
        {
            "page": page,
            "counts": selectors.submission_status_counts(user=request.user, form_id=form_id),
            "form_ids": _form_choices(request.user),
            "statuses": [(code, Submission.Status(code).label) for code in review],
            "current": {"form": form_id, "status": status},
        },
    )


def _may_correct(user, submission: Submission) -> bool:
    try:
        submission_review_check(submission=submission, by=user)
    except PermissionDenied:
        return False
    return submission.status in (Submission.Status.QUARANTINED, Submission.Status.ACCEPTED)


@login_required
@permission_required("intake.view_submission", raise_exception=True)
def submission_detail(request, pk: int):
    """A submission, its reasons, fields and corrections. The identifiers of a form that
    carries them (and its raw payload) are shown on request (`?identifiers=1`) to the roles
    allowed to read them, and each read is logged (selectors.submission_protected_read)."""
    submission = get_in_scope_or_404(
        Submission.objects.select_related("site", "submitter", "source_file"),
        request.user,
        pk=pk,
    )
    protected = None
    if request.GET.get("identifiers") == "1":
        protected = selectors.submission_protected_read(
            user=request.user, submission=submission, request=request
        )
    shown = submission.public_data
    if protected is not None:
        shown = {**shown, **protected.get("data", {}), **protected.get("corrections", {})}
    can_review = request.user.has_perm("intake.review_submission")
    form = None
    if can_review and _may_correct(request.user, submission):
        hidden = set(submission.protected_names) - set(shown)
        if protected is None:
            errors = [e.get("field") for e in submission.errors if e.get("field")]
            hidden |= identifier_keys(get_mapper(submission.form_id), errors)
        form = CorrectionForm(
            request.POST or None,
            submission=submission,
            fields=shown,
            exclude=frozenset(hidden),
            mapper=_mapper_of(submission),
        )
        if request.method == "POST" and form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing was changed."))
            else:
                try:
                    submission = submission_correct(
                        submission=submission,
                        changes=changes,
                        by=request.user,
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(
                        request,
                        _("Correction saved; the submission is now %s.")
                        % submission.get_status_display(),
                    )
            return redirect("intake:submission", pk=submission.pk)
    elif request.method == "POST":
        raise PermissionDenied
    corrected = {**submission.corrections}
    if protected is not None:
        corrected.update(protected.get("corrections", {}))
    received = {**submission.data, **(protected or {}).get("data", {})}
    fields = [(name, received.get(name, ""), corrected.get(name)) for name in sorted(received)]
    return render(
        request,
        "intake/submission_detail.html",
        {
            "submission": submission,
            "title": _human_title(submission),
            "reasons": _reasons(submission),
            "form": form,
            "can_review": can_review,
            "fields": fields,
            "protected": protected,
            "protected_names": submission.protected_names if protected is None else [],
            "can_view_identifiers": selectors.can_view_identifiers(request.user, submission),
            "corrections": _corrections_shown(submission, protected is not None),
            "attachments": submission.attachments.all(),
        },
    )


def _corrections_shown(submission: Submission, identifiers: bool) -> list:
    """(correction, [(field, old, new, protected)]): an identifier field's values only when
    the identifiers are shown (the read is already logged)."""
    shown = []
    for correction in submission.correction_log.select_related("by"):
        kept_apart = correction.protected_changes if identifiers else {}
        changes = []
        for name, change in correction.changes.items():
            if change is None:  # an identifier field: values kept encrypted
                old, new = kept_apart.get(name, (None, None))
                changes.append((name, old, new, name not in kept_apart))
            else:
                changes.append((name, change[0], change[1], False))
        shown.append((correction, changes))
    return shown


@login_required
@permission_required("intake.review_submission", raise_exception=True)
@require_POST
def submission_reprocess(request, pk: int):
    submission = get_in_scope_or_404(Submission.objects.all(), request.user, pk=pk)
    try:
        submission = reprocess(submission=submission, by=request.user)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Reprocessed: the submission is now %s.") % submission.get_status_display()
        )
    return redirect("intake:submission", pk=submission.pk)


# --- File imports ---------------------------------------------------------------------------


def _import_job(record: ImportFile):
    """The file's latest job (None for files read by `hbmm import`), and whether it is
    queued or running: then the job, not the file's own heartbeat, says where the run is."""
    job = job_latest_for(target=import_target(record.pk))
    return job, job is not None and job.is_active


def _import_in_reach(request, pk: int) -> ImportFile:
    return get_object_or_404(selectors.import_file_list(user=request.user), pk=pk)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_list(request):
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"kind": request.GET.get("kind", "")},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = import_file_store(
                kind=form.cleaned_data["kind"],
                source=upload,
                original_name=upload.name,
                uploaded_by=request.user,
                options=form.cleaned_data["options"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            import_file_enqueue(import_file=record, by=request.user)
            return redirect("intake:import", pk=record.pk)
    page = _page(request, selectors.import_file_list(user=request.user))
    for record in page:  # the page keeps these instances: the template reads them again
        record.kind_title = _kind_title(record.kind)
    kinds = [(kind, mapper.title or kind, import_columns(mapper)) for kind, mapper in form.mappers]
    chosen = form.data.get("kind") or request.GET.get("kind") or (kinds[0][0] if kinds else "")
    return render(
        request,
        "intake/import_list.html",
        {"form": form, "page": page, "kinds": kinds, "chosen": chosen},
    )


def _importable(request, kind: str, fmt: str):
    mapper = get_mapper(kind)
    if mapper is None or not mapper.aliases or fmt not in ("csv", "xlsx"):
        raise Http404
    if not request.user.has_perm(mapper.permission):
        raise PermissionDenied
    return mapper


def _import_file(request, kind: str, fmt: str, *, example: bool):
    mapper = _importable(request, kind, fmt)
    filename = f"hbmm-{kind}-{'example' if example else 'template'}"
    if fmt == "xlsx":
        response = HttpResponse(
            workbook_bytes(mapper, user=request.user, example=example), content_type=XLSX_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    columns = import_columns(mapper)
    return export_response(
        "csv",
        filename=filename,
        header=[c.name for c in columns],
        rows=[example_row(mapper, columns)] if example else [],
        hxl=None,  # a file to fill and import: an HXL row would be read as a row of data
    )


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_template(request, kind: str, fmt: str):
    """A blank file for a kind of import: its columns, named as the import reads them, in the
    order of the form's fields (the other accepted names are in the import docs); the XLSX
    adds an instructions sheet and lists that check the code columns."""
    return _import_file(request, kind, fmt, example=False)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_example(request, kind: str, fmt: str):
    """The blank file with one example row, which imports as it is."""
    return _import_file(request, kind, fmt, example=True)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_detail(request, pk: int):
    record = _import_in_reach(request, pk)
    job, active = _import_job(record)
    page = _page(request, selectors.import_file_rows(import_file=record, status="quarantined"))
    _explain(page)
    return render(
        request,
        "intake/import_detail.html",
        {
            "record": record,
            "kind_title": _kind_title(record.kind),
            "job": job,
            "job_active": active,
            "interrupted": record.is_interrupted and not active,
            "status_label": job_words.status_label(job) if active else record.status_label(),
            "page": page,
        },
    )


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_progress(request, pk: int):
    record = _import_in_reach(request, pk)
    job, active = _import_job(record)
    percent = job.percent if active and job.percent is not None else record.percent
    return JsonResponse(
        {
            "status": record.status,
            "status_label": job_words.status_label(job) if active else record.status_label(),
            "interrupted": record.is_interrupted and not active,
            "rows_total": record.rows_total,
            "rows_read": record.rows_read,
            "rows_accepted": record.rows_accepted,
            "rows_quarantined": record.rows_quarantined,
            "rows_duplicate": record.rows_duplicate,
            "percent": percent,
            "error": record.error,
            "job": (
                {"id": job.pk, "status": job.status, "attempts": job.attempts}
                if job is not None
                else None
            ),
        }
    )


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
@require_POST
def import_rerun(request, pk: int):
    record = _import_in_reach(request, pk)
    if record.status == ImportFile.Status.DONE:
        messages.info(request, _("This file was imported completely."))
    else:
        # A file already queued or being read is not queued twice (the job's lock).
        _job, created = import_file_enqueue(import_file=record, by=request.user)
        if not created:
            messages.info(request, _("This file is being imported."))
    return redirect("intake:import", pk=record.pk)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_original(request, pk: int):
    """The file as it was uploaded (the admin and the import page link here)."""
    record = _import_in_reach(request, pk)
    try:
        handle = selectors.import_file_original(
            user=request.user, import_file=record, request=request
        )
    except FileNotFoundError as exc:
        raise Http404(_("The stored file is missing.")) from exc
    return FileResponse(handle, as_attachment=True, filename=record.original_name)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_report_csv(request, pk: int):
    """Every row of the file with its outcome and reasons, streamed."""
    record = _import_in_reach(request, pk)
    report = selectors.import_file_report_rows(
        user=request.user, import_file=record, request=request
    )

    def rows():
        for row_number, status, instance_id, errors in report.values_list(
            "row_number", "status", "instance_id", "errors"
        ).iterator(chunk_size=2000):
            reasons = "; ".join(
                f"{e.get('field')}: {e.get('message')}"
                + (f" ({e.get('value')})" if e.get("value") not in (None, "") else "")
                for e in errors or []
            )
            yield [row_number, status, instance_id, reasons]

    return export_response(
        "csv",
        filename=f"import-{record.pk}-report",
        header=["row", "status", "instance_id", "reasons"],
        hxl=["#meta+row", "#status", "#meta+id", "#description+reasons"],
        rows=rows(),
    )
