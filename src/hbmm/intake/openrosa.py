"""The OpenRosa server: form list, form and media download, submission (ODK Collect, Enketo).

Specs: OpenRosa HTTP Request API (X-OpenRosa-Version and Date on every response), Form List
API (xformsList), Form Overview (manifest), Form Submission API (HEAD 204 with
X-OpenRosa-Accept-Content-Length; POST multipart with xml_submission_file -> 201 with an
OpenRosaResponse). Thin: authentication and HTTP here, the work in the OpenRosa channel
(`intake.channels.openrosa`) and selectors.
"""

import hashlib
import tempfile
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hbmm.intake import selectors
from hbmm.intake.channels.openrosa import SubmissionRefused, openrosa_submission_receive
from hbmm.intake.mappers import get_mapper
from hbmm.intake.openrosa_auth import REALM, basic_user, plain_http_refused
from hbmm.intake.tasks import submissions_map_enqueue
from hbmm.intake.xforms import GENERATED_MEDIA, form_files, form_get, media_files
from hbmm.jobs.services import runs_inline

XML = "text/xml; charset=utf-8"
RESPONSE_NS = "http://openrosa.org/http/response"


def _openrosa(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    response["Content-Language"] = (get_language() or "fr")[:2]
    return response


def _message(status: int, text: str, *, nature: str = "") -> HttpResponse:
    attribute = f' nature="{nature}"' if nature else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OpenRosaResponse xmlns="{RESPONSE_NS}"><message{attribute}>{escape(text)}</message>'
        "</OpenRosaResponse>"
    )
    return _openrosa(HttpResponse(body, status=status, content_type=XML))


def _challenge() -> HttpResponse:
    response = _message(401, _("Authentication is required (user name and password)."))
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _accept_length(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Accept-Content-Length"] = str(settings.HBMM_MAX_UPLOAD_BYTES)
    return response


def _authenticated(view):
    """Runs `view(request, user, ...)` for a user named by valid Basic credentials."""

    def wrapper(request, *args, **kwargs):
        if plain_http_refused(request):
            return _message(403, _("This server accepts ODK Collect and Enketo over HTTPS only."))
        user = basic_user(request)
        if user is None:
            return _challenge()
        request.user = user
        return view(request, user, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _fillable_form(user, form_id: str):
    """The form if this user may fill it, else None (unknown and forbidden look the same)."""
    mapper = get_mapper(form_id)
    if (
        form_id not in form_files()
        or mapper is None
        or not user.has_perm("intake.submit_data")
        or not user.has_perm(mapper.permission)
    ):
        return None
    return form_get(form_id)


def form_title(form) -> str:
    """A form's name in the form list (ODK Collect's, Enketo's), in French and English: its
    mapper's title in each language, e.g. "Registre de suivi des flux / Flow monitoring
    registry" (the XLSForm's own title is one language for several forms)."""
    mapper = get_mapper(form.form_id)
    if mapper is None or not mapper.title:
        return form.title
    names = []
    for language in ("fr", "en"):
        with override(language):
            name = str(mapper.title)
        if name not in names:
            names.append(name)
    return " / ".join(names)


@_authenticated
def form_list(request, user):
    if request.method not in ("GET", "HEAD"):
        return _message(405, _("Method not allowed."))
    wanted = request.GET.get("formID", "")
    entries = []
    for form in selectors.forms_for_user(user):
        if wanted and form.form_id != wanted:
            continue
        download = request.build_absolute_uri(reverse("openrosa-form-xml", args=[form.form_id]))
        manifest = (
            "<manifestUrl>"
            + escape(request.build_absolute_uri(reverse("openrosa-manifest", args=[form.form_id])))
            + "</manifestUrl>"
            if media_files(form.xml)
            else ""
        )
        entries.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form_title(form))}</name>"
            f"<version>{escape(form.version)}</version>"
            f"<hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{escape(download)}</downloadUrl>"
            f"{manifest}"
            "</xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(entries) + "</xforms>"
    )
    return _openrosa(HttpResponse(body, content_type=XML))


@_authenticated
def form_xml(request, user, form_id: str):
    form = _fillable_form(user, form_id)
    if form is None:
        return _message(404, _("No such form."))
    return _openrosa(HttpResponse(form.xml, content_type=XML))


def _media_content(user, form_id: str, filename: str) -> bytes | None:
    """A media file made for `user`: sites.csv, areas.csv, places.csv (any form), else the
    form's mapper's own."""
    if filename in GENERATED_MEDIA:
        return selectors.MEDIA_MAKERS[filename](user=user)
    mapper = get_mapper(form_id)
    return mapper.media_file(filename, user=user) if mapper is not None else None


@_authenticated
def form_manifest(request, user, form_id: str):
    form = _fillable_form(user, form_id)
    if form is None:
        return _message(404, _("No such form."))
    files = []
    for name in media_files(form.xml):
        content = _media_content(user, form.form_id, name)
        if content is None:
            continue
        files.append(
            "<mediaFile>"
            f"<filename>{escape(name)}</filename>"
            f"<hash>md5:{hashlib.md5(content).hexdigest()}</hash>"
            "<downloadUrl>"
            + escape(
                request.build_absolute_uri(reverse("openrosa-media", args=[form.form_id, name]))
            )
            + "</downloadUrl>"
            "</mediaFile>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">'
        + "".join(files)
        + "</manifest>"
    )
    return _openrosa(HttpResponse(body, content_type=XML))


@_authenticated
def form_media(request, user, form_id: str, filename: str):
    form = _fillable_form(user, form_id)
    if form is None or filename not in media_files(form.xml):
        return _message(404, _("No such file."))
    content = _media_content(user, form.form_id, filename)
    if content is None:
        return _message(404, _("No such file."))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _openrosa(response)


INCOMPLETE_FIELD = "*isIncomplete*"  # ODK Collect: on every post of a split submission but the last


def _read_unsized_body(request, limit: int) -> HttpResponse | None:
    """Take in a chunked body (Transfer-Encoding: chunked, no Content-Length), up to `limit`.

    A server that de-chunks (gunicorn) hands the body over as a `wsgi.input` that ends where
    the body ends, flagged `wsgi.input_terminated`, without CONTENT_LENGTH; Django reads
    CONTENT_LENGTH bytes of it, that is nothing. The body is read here into a spooled file and
    given to Django with its length. Returns an error response, or None when the request is
    ready to parse."""
    meta = request.META
    if (
        meta.get("CONTENT_LENGTH")
        or "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    ):
        return None
    if not meta.get("wsgi.input_terminated"):
        # The server left the chunk framing in place (or cannot say where the body ends).
        return _message(411, _("Send the submission with a Content-Length header."))
    # Open for as long as the request is: Django's parser reads it after this returns.
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    size = 0
    for chunk in iter(lambda: meta["wsgi.input"].read(64 * 1024), b""):
        size += len(chunk)
        if size > limit:
            spool.close()
            return _too_large(limit)
        spool.write(chunk)
    spool.seek(0)
    meta["CONTENT_LENGTH"] = str(size)
    request._stream = LimitedStream(spool, size)  # what WSGIRequest builds from CONTENT_LENGTH
    return None


def _too_large(limit: int) -> HttpResponse:
    return _message(413, _("The submission is larger than this server accepts (%d bytes).") % limit)


def map_in_request() -> bool:
    """Whether a request maps its submission before answering: when tasks run inline (no
    worker: tests) or the setup says so. Otherwise the phone is answered once its submission is
    stored and the mapping job maps it, in batches (twice the rate: issue 19)."""
    return runs_inline() or settings.HBMM_OPENROSA_MAP_IN_REQUEST


def _is_incomplete(request) -> bool:
    """Collect and Aggregate compare the flag's value with "yes", ignoring case."""
    return request.POST.get(INCOMPLETE_FIELD, "").strip().lower() == "yes"


def _success_text(result, incomplete: bool) -> str:
    if incomplete:
        return _("Part of the submission received; waiting for the rest of its files.")
    if result.created or result.completed:
        return _("Submission received. Thank you.")
    if result.attachments_added:
        return _("This submission was already received; new attachments were added.")
    return _("This submission was already received.")


@_authenticated
def submission(request, user):
    if request.method == "HEAD":
        return _accept_length(_openrosa(HttpResponse(status=204)))
    if request.method != "POST":
        response = _message(405, _("Use POST to send a submission."))
        response["Allow"] = "HEAD, POST"
        return _accept_length(response)
    if not user.has_perm("intake.submit_data"):
        return _accept_length(_message(403, _("Your role does not allow you to send data.")))
    limit = settings.HBMM_MAX_UPLOAD_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _accept_length(_too_large(limit))
    refused = _read_unsized_body(request, limit)
    if refused is not None:
        return _accept_length(refused)
    try:
        files = request.FILES
        incomplete = _is_incomplete(request)
    except MultiPartParserError as exc:
        return _accept_length(_message(400, _("Unreadable multipart body: %s") % exc))
    if sum(f.size for f in files.values()) > limit:
        return _accept_length(_too_large(limit))
    main = files.get("xml_submission_file")
    if main is None:
        return _accept_length(_message(400, _("The request has no xml_submission_file.")))
    others = [f for key, f in files.items() if key != "xml_submission_file"]
    try:
        result = openrosa_submission_receive(
            xml=main.read(),
            attachments=others,
            user=user,
            device_id=request.GET.get("deviceID", ""),
            incomplete=incomplete,
            map_now=map_in_request(),
        )
    except SubmissionRefused as refused:
        return _accept_length(_message(refused.status, refused.message))
    if result.waiting:
        submissions_map_enqueue()
    if result.conflict:
        return _accept_length(
            _message(
                409,
                _(
                    "A different submission with this instance id was received before; "
                    "this copy is kept for review."
                ),
            )
        )
    response = _message(201, _success_text(result, incomplete), nature="submit_success")
    response["Location"] = request.build_absolute_uri(reverse("openrosa-submission"))
    return _accept_length(response)
