"""Pages of the intake app: submissions, quarantine review, file imports. Thin: selectors to
read, services to write."""

import threading

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import close_old_connections, connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import get_in_scope_or_404
from hbmm.exports import export_response
from hbmm.intake import selectors
from hbmm.intake.models import Channel, ImportFile, Submission
from hbmm.intake.services import (
    import_file_run,
    import_file_start,
    import_file_store,
    submission_correct,
    submissions_process,
)
from hbmm.intake.webforms import CorrectionForm, ImportUploadForm

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@permission_required("intake.view_submission", raise_exception=True)
def submission_list(request):
    form_id = request.GET.get("form", "")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    submissions = selectors.submission_list(
        user=request.user, form_id=form_id, status=status, channel=channel
    )
    return render(
        request,
        "intake/submission_list.html",
        {
            "page": _page(request, submissions),
            "counts": selectors.submission_status_counts(user=request.user, form_id=form_id),
            "statuses": Submission.Status.choices,
            "channels": Channel.choices,
            "form_ids": selectors.submission_form_ids(user=request.user),
            "current": {"form": form_id, "status": status, "channel": channel},
        },
    )


@login_required
@permission_required("intake.review_submission", raise_exception=True)
def quarantine(request):
    form_id = request.GET.get("form", "")
    status = request.GET.get("status", "") or Submission.Status.QUARANTINED
    if status not in (Submission.Status.QUARANTINED, Submission.Status.CONFLICT):
        status = Submission.Status.QUARANTINED
    items = selectors.submission_list(user=request.user, form_id=form_id, status=status)
    return render(
        request,
        "intake/quarantine.html",
        {
            "page": _page(request, items),
            "counts": selectors.submission_status_counts(user=request.user, form_id=form_id),
            "form_ids": selectors.submission_form_ids(user=request.user),
            "statuses": [
                (Submission.Status.QUARANTINED, Submission.Status.QUARANTINED.label),
                (Submission.Status.CONFLICT, Submission.Status.CONFLICT.label),
            ],
            "current": {"form": form_id, "status": status},
        },
    )


@login_required
@permission_required("intake.view_submission", raise_exception=True)
def submission_detail(request, pk: int):
    submission = get_in_scope_or_404(
        Submission.objects.select_related("site", "submitter", "source_file"),
        request.user,
        pk=pk,
    )
    can_review = request.user.has_perm("intake.review_submission")
    correctable = submission.status in (Submission.Status.QUARANTINED, Submission.Status.ACCEPTED)
    form = None
    if can_review and correctable:
        form = CorrectionForm(request.POST or None, submission=submission)
        if request.method == "POST" and form.is_valid():
            changes = form.changes(submission)
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
    return render(
        request,
        "intake/submission_detail.html",
        {
            "submission": submission,
            "form": form,
            "can_review": can_review,
            "fields": sorted(submission.data.items()),
            "corrections": submission.correction_log.select_related("by"),
            "attachments": submission.attachments.all(),
        },
    )


@login_required
@permission_required("intake.review_submission", raise_exception=True)
@require_POST
def submission_reprocess(request, pk: int):
    submission = get_in_scope_or_404(Submission.objects.all(), request.user, pk=pk)
    if submission.status not in (Submission.Status.QUARANTINED, Submission.Status.RECEIVED):
        messages.info(request, _("Only quarantined submissions are reprocessed."))
    else:
        submissions_process([submission])
        submission.refresh_from_db()
        messages.success(
            request, _("Reprocessed: the submission is now %s.") % submission.get_status_display()
        )
    return redirect("intake:submission", pk=submission.pk)


# --- File imports ---------------------------------------------------------------------------


def _run_import_in_background(import_file: ImportFile) -> None:
    """Read the file in a thread of this process; the page polls its progress. A file whose
    run was interrupted (server restart) can be run again: rows already stored are skipped."""

    def run():
        close_old_connections()
        try:
            record = ImportFile.objects.get(pk=import_file.pk)
            import_file_run(import_file=record)
        except Exception:  # recorded on the ImportFile by import_file_run
            pass
        finally:
            connection.close()

    if getattr(settings, "HBMM_IMPORT_INLINE", False):
        import_file_run(import_file=import_file)
        return
    import_file_start(import_file)
    threading.Thread(target=run, name=f"import-{import_file.pk}", daemon=True).start()


def _import_in_reach(request, pk: int) -> ImportFile:
    return get_object_or_404(selectors.import_file_list(user=request.user), pk=pk)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_list(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
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
            _run_import_in_background(record)
            return redirect("intake:import", pk=record.pk)
    return render(
        request,
        "intake/import_list.html",
        {"form": form, "page": _page(request, selectors.import_file_list(user=request.user))},
    )


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_detail(request, pk: int):
    record = _import_in_reach(request, pk)
    return render(
        request,
        "intake/import_detail.html",
        {
            "record": record,
            "page": _page(
                request, selectors.import_file_rows(import_file=record, status="quarantined")
            ),
        },
    )


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_progress(request, pk: int):
    record = _import_in_reach(request, pk)
    return JsonResponse(
        {
            "status": record.status,
            "status_label": record.status_label(),
            "interrupted": record.is_interrupted,
            "rows_total": record.rows_total,
            "rows_read": record.rows_read,
            "rows_accepted": record.rows_accepted,
            "rows_quarantined": record.rows_quarantined,
            "rows_duplicate": record.rows_duplicate,
            "percent": record.percent,
            "error": record.error,
        }
    )


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
@require_POST
def import_rerun(request, pk: int):
    record = _import_in_reach(request, pk)
    if record.status == ImportFile.Status.DONE:
        messages.info(request, _("This file was imported completely."))
    elif record.status == ImportFile.Status.RUNNING and request.POST.get("confirm") != "yes":
        # Two runs of one file at once would be safe (rows are unique) but pointless.
        messages.info(request, _("This file is being imported."))
    else:
        _run_import_in_background(record)
    return redirect("intake:import", pk=record.pk)


@login_required
@permission_required("intake.add_importfile", raise_exception=True)
def import_report_csv(request, pk: int):
    """Every row of the file with its outcome and reasons, streamed."""
    record = _import_in_reach(request, pk)

    def rows():
        for row_number, status, instance_id, errors in (
            selectors.import_file_rows(import_file=record)
            .values_list("row_number", "status", "instance_id", "errors")
            .iterator(chunk_size=2000)
        ):
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
        rows=rows(),
    )
