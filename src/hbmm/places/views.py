"""The read-only places browser and the site registry upload."""

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hbmm.accounts.scope import user_scope
from hbmm.places import selectors
from hbmm.places.forms import AreaFilterForm, SiteFilterForm, SiteRegistryUploadForm
from hbmm.places.services import RegistryImportError, RowError, site_registry_import
from hbmm.tabular import TableError, read_rows

PAGE_SIZE = 100


@login_required
@permission_required("places.view_site", raise_exception=True)
def site_list(request):
    form = SiteFilterForm(
        request.GET or None,
        regions=selectors.region_choices(),
        kinds=selectors.site_kind_choices(),
    )
    region = kind = ""
    if form.is_valid():
        region, kind = form.cleaned_data["region"], form.cleaned_data["kind"]
    sites = selectors.site_list(scope=user_scope(request.user), region=region, kind=kind)
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "places/site_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_import": request.user.has_perm("places.add_site"),
        },
    )


@login_required
@permission_required("places.view_site", raise_exception=True)
def site_detail(request, code: str):
    site = selectors.site_get(scope=user_scope(request.user), code=code)
    return render(request, "places/site_detail.html", {"site": site})


@login_required
@permission_required("places.view_adminarea", raise_exception=True)
def area_list(request):
    form = AreaFilterForm(request.GET or None, countries=selectors.country_choices())
    country, level = settings.HBMM_COUNTRY_ISO3, None
    if form.is_bound and form.is_valid():
        country, level = form.cleaned_data["country"], form.cleaned_data["level"]
    elif not form.is_bound:
        form = AreaFilterForm(initial={"country": country}, countries=selectors.country_choices())
    areas = selectors.admin_area_list(scope=user_scope(request.user), country=country, level=level)
    page = Paginator(areas, 200).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "places/area_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
@permission_required("places.add_site", raise_exception=True)
@require_http_methods(["GET", "POST"])
def site_import(request):
    """Upload a site registry (CSV or XLSX): every error is listed, nothing partly imported."""
    errors: list[RowError] = []
    if request.method == "POST":
        form = SiteRegistryUploadForm(request.POST, request.FILES)
    else:
        form = SiteRegistryUploadForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(io.BytesIO(upload.read()), filename=upload.name)
            result = site_registry_import(rows=rows, by=request.user, source=upload.name)
        except RegistryImportError as exc:
            errors = exc.errors
        except (TableError, UnicodeDecodeError, csv.Error) as exc:
            form.add_error("file", _("The file cannot be read as a table: %(e)s") % {"e": exc})
        else:
            messages.success(
                request,
                _(
                    "Site registry imported from %(name)s: %(created)d created, "
                    "%(updated)d updated, %(unchanged)d unchanged."
                )
                % {
                    "name": upload.name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("places:site_list")
    status = 400 if errors or form.errors else 200
    return render(
        request, "places/site_import.html", {"form": form, "errors": errors}, status=status
    )
