"""Reads of the intake app, scoped through restrict_to_scope."""

import csv
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import restrict_to_scope, sites_in_scope, user_scope
from hbmm.accounts.services import audit_log
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import Correction, ImportFile, Submission
from hbmm.intake.xforms import form_files, form_get
from hbmm.places.models import AdminArea, Site


def versions_replaced_after(*, scope, moment) -> int:
    """How many submissions in `scope` received by `moment` had their records replaced after
    it: a later version (an edit) received after it, or a reviewer's correction made after it.
    Their records as they were at `moment` are not kept (a replaced record is deleted), so a
    report reproduced as known at `moment` leaves them out and says how many."""
    known = restrict_to_scope(Submission.objects.all(), scope.as_known_on(moment))
    edited_roots = Submission.objects.filter(received_at__gt=moment).exclude(deprecated_id="")
    corrected = Correction.objects.filter(at__gt=moment)
    return (
        known.filter(
            Q(root_id__in=edited_roots.values("root_id"))
            | Q(pk__in=corrected.values("submission_id"))
        )
        .values("root_id")
        .distinct()
        .count()
    )


def submissions_visible(user) -> QuerySet:
    """Submissions the user may see: those filed under a site in their scope (national users
    also see those with no site, e.g. an unknown site code)."""
    return restrict_to_scope(Submission.objects.all(), user)


def submission_list(*, user, form_id: str = "", status: str = "", channel: str = "") -> QuerySet:
    # Lists never show the encrypted envelope of identifiers: not decrypted for nothing.
    queryset = (
        submissions_visible(user)
        .select_related("site", "submitter", "source_file")
        .defer("protected")
    )
    if form_id:
        queryset = queryset.filter(form_id=form_id)
    if status:
        queryset = queryset.filter(status=status)
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset.order_by("-received_at", "-pk")


def submission_status_counts(*, user, form_id: str = "") -> dict[str, int]:
    queryset = submissions_visible(user)
    if form_id:
        queryset = queryset.filter(form_id=form_id)
    counts = {code: 0 for code, _label in Submission.Status.choices}
    for row in queryset.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def submission_form_ids(*, user) -> list[str]:
    return list(
        submissions_visible(user).values_list("form_id", flat=True).distinct().order_by("form_id")
    )


def can_view_identifiers(user, submission: Submission) -> bool:
    """Whether `user` may read the identifiers of `submission` (its form's identifier
    permission); a form without identifiers has none to read."""
    mapper = get_mapper(submission.form_id)
    permission = mapper.identifier_permission if mapper is not None else ""
    return bool(submission.protected) and bool(permission) and user.has_perm(permission)


def submission_protected_read(*, user, submission: Submission, request=None) -> dict:
    """The raw payload and the identifier fields (and their corrections) of a submission of a
    form that carries identifiers, for a user holding the form's identifier permission
    (PermissionDenied otherwise); every read is written to the audit log."""
    if not can_view_identifiers(user, submission):
        raise PermissionDenied
    audit_log(
        action=AuditEvent.Action.READ_PROTECTED,
        actor=user,
        target=f"intake.submission:{submission.pk}",
        details={"fields": submission.protected_names, "payload": True},
        request=request,
    )
    return submission.protected_values


def import_file_list(*, user) -> QuerySet:
    """Files the user may read, with their row reports (whose reasons quote the rows): those
    they uploaded, and every file for reviewers of national scope. A file may hold rows of
    any region, so a regional reviewer reads other people's rows in the quarantine, one by one
    and within their scope, not through the file."""
    queryset = ImportFile.objects.select_related("uploaded_by")
    if not (user.has_perm("intake.review_submission") and user_scope(user).is_national):
        queryset = queryset.filter(uploaded_by=user)
    return queryset


def import_file_report_rows(*, user, import_file: ImportFile, request=None) -> QuerySet:
    """Every row of a file the user may read (import_file_list), for its downloadable
    report; the download is written to the audit log."""
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=user,
        target=f"intake.importfile:{import_file.pk}",
        details={"event": "import_report", "name": import_file.original_name},
        request=request,
    )
    return import_file_rows(import_file=import_file)


def import_file_original(*, user, import_file: ImportFile, request=None):
    """The file as it was received, opened for reading, for a user who may read it
    (import_file_list); the download is written to the audit log. Stored files are never
    served from MEDIA_URL: they hold personal data."""
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=user,
        target=f"intake.importfile:{import_file.pk}",
        details={"event": "import_original", "name": import_file.original_name},
        request=request,
    )
    return import_file.file.open("rb")


def import_files_interrupted() -> QuerySet:
    """Imports whose run stopped half-way or never started (running or pending, no progress
    for a while; see ImportFile.is_interrupted): `hbmm import --resume` runs them again."""
    stale = timezone.now() - ImportFile.INTERRUPTED_AFTER
    unfinished = [ImportFile.Status.RUNNING, ImportFile.Status.PENDING]
    return ImportFile.objects.filter(status__in=unfinished).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, uploaded_at__lt=stale)
    )


def import_file_rows(*, import_file: ImportFile, status: str = "") -> QuerySet:
    queryset = import_file.submissions.all()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("row_number", "pk")


def sites_csv(*, user) -> bytes:
    """The `sites.csv` form media file: the active sites in the user's scope.

    Columns: name (the site code, the value a form stores), label, label in French and English,
    kinds (space-separated kind codes, for choice_filter `selected(kinds, 'fmp')`), area P-code.
    """
    sites = sites_in_scope(user).select_related("area").prefetch_related("kinds").order_by("code")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label", "label::French (fr)", "label::English (en)", "kinds", "area"])
    for site in sites:
        kinds = " ".join(sorted(k.code for k in site.kinds.all()))
        writer.writerow(
            [
                site.code,
                f"{site.name_fr} ({site.code})",
                f"{site.name_fr} ({site.code})",
                f"{site.name_en or site.name_fr} ({site.code})",
                kinds,
                site.area.pcode,
            ]
        )
    return out.getvalue().encode("utf-8")


AREA_COLUMNS = ["name", "label", "label::French (fr)", "label::English (en)", "country", "level"]


def _areas_csv(areas) -> bytes:
    """Rows of an area media file: name (the P-code, the value a form stores), labels, the
    country's ISO3 code (for `choice_filter` `country = ${previous_country}`) and the level."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AREA_COLUMNS)
    for area in areas:
        french = f"{area.name_fr or area.name_en} ({area.pcode})"
        writer.writerow(
            [
                area.pcode,
                french,
                french,
                f"{area.name_en or area.name_fr} ({area.pcode})",
                area.country_iso3,
                area.level,
            ]
        )
    return out.getvalue().encode("utf-8")


def areas_csv(*, user) -> bytes:
    """The `areas.csv` form media file: the admin areas of the country a user may report for
    (the country itself for a national user), those of their scope (a user of Kayes gets Kayes and its cercles; a user scoped to single
    sites, the areas of those sites). The server refuses an area outside the submitter's scope
    (`check_area_scope`); the form offers no other."""
    scope = user_scope(user)
    areas = AdminArea.objects.filter(country_iso3=settings.HBMM_COUNTRY_ISO3)
    if not scope.is_national:  # the country itself (level 0) is a national user's only
        areas = areas.filter(level__gte=AdminArea.Level.ADM1)
        within = Q(pk__in=[])
        for path in scope.area_paths:
            within |= Q(path__startswith=path)
        if scope.site_ids:
            within |= Q(pk__in=Site.objects.filter(pk__in=scope.site_ids).values("area"))
        areas = areas.filter(within)
    return _areas_csv(areas.order_by("path"))


def places_csv(*, user) -> bytes:
    """The `places.csv` form media file: every admin area (levels 1-3) of every country, for
    where travellers come from and go to. Not scoped: an agent at Kayes counts travellers
    heading for Bamako, and the server checks only that the P-code lies in the country given.
    Reference data, the same for every user (`user` keeps the media files' signature)."""
    del user
    return _areas_csv(
        AdminArea.objects.filter(level__gte=AdminArea.Level.ADM1).order_by("country_iso3", "path")
    )


MEDIA_MAKERS = {"sites.csv": sites_csv, "areas.csv": areas_csv, "places.csv": places_csv}


def forms_for_user(user) -> list:
    """The shipped forms this user may fill: a mapper is registered for the form and the user
    holds its permission (and may send data at all)."""
    if not user.has_perm("intake.submit_data"):
        return []
    forms = []
    for form_id in form_files():
        mapper = get_mapper(form_id)
        if mapper is None or not user.has_perm(mapper.permission):
            continue
        form = form_get(form_id)
        if form is not None:
            forms.append(form)
    return forms


def demo_data_present() -> bool:
    """Whether demonstration data has been loaded: `hbmm demo` always imports demo files.
    (The file table is small; the submission table is not, and is_demo is not indexed.)"""
    return ImportFile.objects.filter(is_demo=True).exists()
