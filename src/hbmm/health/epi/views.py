"""Pages of the epidemiological series: the situation as of a date with the epidemic curve,
the reported values, series imports and the daily bulletin form."""

from dataclasses import replace

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hbmm.accounts.scope import user_scope
from hbmm.health.epi import figures, selectors
from hbmm.health.epi.charts import epidemic_curve
from hbmm.health.epi.forms import BulletinForm, EpiImportForm
from hbmm.health.epi.models import EpiSource
from hbmm.health.pages import BadParameter, record_form_page
from hbmm.health.pages import bad_request as _bad
from hbmm.health.pages import date_param as _date_param
from hbmm.intake.channels.files import import_file_run, import_file_store
from hbmm.places.models import AdminArea
from hbmm.presentation.as_of import request_as_of
from hbmm.presentation.charts import embed_options


def _epi_area(request) -> AdminArea:
    code = request.GET.get("area") or settings.HBMM_COUNTRY_ISO3
    if code == settings.HBMM_COUNTRY_ISO3:
        return selectors.epi_national_area()
    for area in selectors.epi_regions(scope=user_scope(request.user)):
        if area.pcode == code:
            return area
    raise Http404


@login_required
@permission_required("health.view_epivalue", raise_exception=True)
def epi(request):
    scope = user_scope(request.user)
    area = _epi_area(request)
    source = request.GET.get("source") or None
    if source and source not in EpiSource.values:
        return _bad(_("Unknown source."))
    try:
        as_of = _date_param(request, "as_of", None)
    except BadParameter as exc:
        return _bad(exc)
    series = selectors.epi_series(scope=scope, area=area, source=source)
    if as_of is None:  # the one as-of date of every page (hbmm.presentation.as_of)
        as_of = request_as_of(request)
    situation = figures.situation(scope=scope, as_of=as_of, area=area, source=source)
    shown = [d for d in series.days if d.day <= as_of]
    context = {
        "area": area,
        "area_pcode": None,  # the figures' records are the series: no area narrowing
        "as_of": as_of,
        "situation": situation,
        "headline": [
            f
            for f in (
                situation.confirmed,
                situation.recovered,
                situation.deaths,
                situation.active,
                situation.new_cases,
                situation.average_7d,
                situation.tests,
            )
            if f.has_data
        ],
        "days": list(reversed(shown)),
        "sources": [(s, EpiSource(s).label) for s in selectors.epi_sources(scope=scope, area=area)],
        "source": situation.source,
        "regions": selectors.epi_regions(scope=scope),
        "neighbours": selectors.epi_neighbours(scope=scope, as_of=as_of) if area.level == 0 else [],
        "national_code": settings.HBMM_COUNTRY_ISO3,
        "curve": epidemic_curve(replace(series, days=shown, corrections=[])),
        "embed_options": embed_options(),
    }
    return render(request, "health/epi/situation.html", context)


@login_required
@permission_required("health.view_epivalue", raise_exception=True)
def epi_curve(request):
    """The epidemic curve's Vega-Lite specification (JSON), for pages and reports."""
    area = _epi_area(request)
    try:
        end = _date_param(request, "as_of", None)
    except BadParameter as exc:
        return _bad(exc)
    series = selectors.epi_series(scope=user_scope(request.user), area=area, end=end)
    return JsonResponse(epidemic_curve(series).spec)


@login_required
@permission_required("health.add_epivalue", raise_exception=True)
def epi_import(request):
    form = EpiImportForm(request.POST or None, request.FILES or None)
    record = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Stored with its options, so a run again from the import page reads it the same way.
            record = import_file_store(
                kind=form.cleaned_data["kind"],
                source=upload,
                original_name=upload.name,
                uploaded_by=request.user,
                options={"neighbours": form.cleaned_data["neighbours"]},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            record = import_file_run(import_file=record)
    return render(request, "health/epi/import.html", {"form": form, "record": record})


@login_required
@permission_required("health.add_epivalue", raise_exception=True)
def epi_bulletin(request):
    areas = selectors.bulletin_areas(scope=user_scope(request.user))
    return record_form_page(
        request,
        BulletinForm(request.POST or None, areas=areas),
        form_id="epi_bulletin",
        title=_("Daily epidemiological bulletin"),
        saved=_("The bulletin was recorded."),
        next_url="health:epi",
    )
