"""The API's write endpoints, where a system pushes data: a submission as JSON (the intake
pipeline of OpenRosa: same checks, idempotency by instance id, edits and quarantine), and a
file import (upload, then poll the run: the same store and background job as the web page).

    POST /api/v1/submissions/          {"form_id", "instance_id", "data", "deprecated_id"?}
    GET  /api/v1/submissions/<id>/     its status and, when quarantined, the reasons
    POST /api/v1/imports/              multipart: kind, file (CSV/XLSX), the kind's options
    GET  /api/v1/imports/<id>/         the file's run: status, rows read/accepted/quarantined
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hbmm.api.errors import ERRORS
from hbmm.intake import selectors
from hbmm.intake.channels.files import import_file_store
from hbmm.intake.channels.openrosa import SubmissionRefused, json_submission_receive
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.tasks import import_file_enqueue, import_target
from hbmm.intake.webforms import ImportUploadForm
from hbmm.jobs.selectors import job_latest_for


class SubmissionIn(serializers.Serializer):
    form_id = serializers.CharField(max_length=100)
    instance_id = serializers.CharField(
        max_length=100, help_text="unique per submission, e.g. uuid:…; sending it again is safe"
    )
    deprecated_id = serializers.CharField(
        max_length=100, required=False, default="", help_text="an edit: the instance it replaces"
    )
    form_version = serializers.CharField(max_length=100, required=False, default="")
    # A field named like Serializer.data: DRF's metaclass takes it out of the class attributes.
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="the form's fields, by name (groups may nest)"
    )


SUBMISSION_OUT = inline_serializer(
    "SubmissionStatus",
    fields={
        "id": serializers.IntegerField(),
        "instance_id": serializers.CharField(),
        "form_id": serializers.CharField(),
        "status": serializers.ChoiceField(choices=Submission.Status.choices),
        "created": serializers.BooleanField(help_text="false: this instance was received before"),
        "errors": serializers.ListField(
            child=inline_serializer(
                "SubmissionError",
                fields={"field": serializers.CharField(), "message": serializers.CharField()},
            )
        ),
        "url": serializers.URLField(),
    },
)


def _submission_data(request: Request, submission: Submission, *, created: bool) -> dict:
    # The reasons without the values they quote: a value may be an identifier.
    errors = [
        {"field": str(e.get("field", "")), "message": str(e.get("message", ""))}
        for e in submission.errors or []
    ]
    return {
        "id": submission.pk,
        "instance_id": submission.instance_id,
        "form_id": submission.form_id,
        "status": submission.status,
        "created": created,
        "errors": errors,
        "url": request.build_absolute_uri(reverse("api:submission", args=[submission.pk])),
    }


class SubmissionCreateView(APIView):
    @extend_schema(
        operation_id="submissions_create",
        summary="Send a submission as JSON",
        description="Through the same pipeline as ODK Collect's: the form's permission (403), "
        "the site in your scope (403) and known (400), the same instance id sent again stores "
        "nothing new (200), a different document under a known instance id is kept for "
        "review (409), a submission that fails the form's checks is stored and quarantined "
        "(201, status quarantined, with the reasons).",
        tags=["intake"],
        request=SubmissionIn,
        responses={**ERRORS, 201: SUBMISSION_OUT, 200: SUBMISSION_OUT, 409: SUBMISSION_OUT},
    )
    def post(self, request: Request):
        if not request.user.has_perm("intake.submit_data"):
            raise PermissionDenied
        given = SubmissionIn(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            result = json_submission_receive(user=request.user, **given.validated_data)
        except SubmissionRefused as refused:
            return Response({"detail": refused.message}, status=refused.status)
        body = _submission_data(request, result.submission, created=result.created)
        code: int
        if result.conflict:
            code = status.HTTP_409_CONFLICT
        else:
            code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)


class SubmissionDetailView(APIView):
    @extend_schema(
        operation_id="submissions_retrieve",
        summary="A submission's status",
        description="A submission under a site in your scope (else 404).",
        tags=["intake"],
        responses={**ERRORS, 200: SUBMISSION_OUT},
    )
    def get(self, request: Request, pk: int):
        if not request.user.has_perm("intake.view_submission") and not request.user.has_perm(
            "intake.submit_data"
        ):
            raise PermissionDenied
        submission = selectors.submissions_visible(request.user).filter(pk=pk).first()
        if submission is None:
            raise Http404
        return Response(_submission_data(request, submission, created=False))


IMPORT_OUT = inline_serializer(
    "ImportStatus",
    fields={
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "name": serializers.CharField(),
        "status": serializers.CharField(help_text="pending, running, done or failed"),
        "job_status": serializers.CharField(allow_null=True),
        "rows_total": serializers.IntegerField(allow_null=True),
        "rows_read": serializers.IntegerField(),
        "rows_accepted": serializers.IntegerField(),
        "rows_quarantined": serializers.IntegerField(),
        "rows_duplicate": serializers.IntegerField(),
        "error": serializers.CharField(),
        "url": serializers.URLField(),
    },
)


def _import_data(request: Request, record: ImportFile) -> dict:
    job = job_latest_for(target=import_target(record.pk))
    return {
        "id": record.pk,
        "kind": record.kind,
        "name": record.original_name,
        "status": record.status,
        "job_status": job.status if job is not None else None,
        "rows_total": record.rows_total,
        "rows_read": record.rows_read,
        "rows_accepted": record.rows_accepted,
        "rows_quarantined": record.rows_quarantined,
        "rows_duplicate": record.rows_duplicate,
        "error": record.error,
        "url": request.build_absolute_uri(reverse("api:import", args=[record.pk])),
    }


class ImportCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        summary="Upload a CSV or XLSX file to import",
        description="The file is kept as received and read in the background (a job): poll "
        "its `url` until `status` is done or failed. Needs the permission to import and the "
        "form's permission; each row is checked as the web import checks it.",
        tags=["intake"],
        request={
            "multipart/form-data": inline_serializer(
                "ImportIn",
                fields={"kind": serializers.CharField(), "file": serializers.FileField()},
            )
        },
        responses={**ERRORS, 202: IMPORT_OUT},
    )
    def post(self, request: Request):
        if not request.user.has_perm("intake.add_importfile"):
            raise PermissionDenied
        form = ImportUploadForm(request.data, request.FILES, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        upload = form.cleaned_data["file"]
        try:
            record = import_file_store(
                kind=form.cleaned_data["kind"],
                source=upload,
                original_name=upload.name,
                uploaded_by=request.user,
                options=form.cleaned_data["options"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        import_file_enqueue(import_file=record, by=request.user)
        record.refresh_from_db()
        return Response(_import_data(request, record), status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    @extend_schema(
        operation_id="imports_retrieve",
        summary="An import's run",
        description="A file you uploaded (or any, for national reviewers); else 404.",
        tags=["intake"],
        responses={**ERRORS, 200: IMPORT_OUT},
    )
    def get(self, request: Request, pk: int):
        if not request.user.has_perm("intake.add_importfile"):
            raise PermissionDenied
        record = selectors.import_file_list(user=request.user).filter(pk=pk).first()
        if record is None:
            raise Http404
        return Response(_import_data(request, record))
