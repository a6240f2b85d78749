"""The page of a registered table (`hbmm.presentation.tables`): list page, drill-down and export.

Served at /reports/drilldown/<key>/ for every table, and at the table's own address when it has
one (the mobility record lists). Access: the table's permission (403); exporting also needs
`reports.export_figures` and is audited. Scope: the reader's, narrowed to `?area=` (404 when the
area shares nothing with it); a `site` filter outside the scope is not found (404). A bad filter
is a 400 that names it.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import get_in_scope_or_404, time_cut_gaps, user_scope
from hbmm.accounts.services import audit_log
from hbmm.exports import FORMATS, export_response
from hbmm.places.models import Site
from hbmm.places.selectors import area_choices, area_narrowing
from hbmm.presentation.as_of import request_as_of
from hbmm.presentation.figures import format_number, scope_label
from hbmm.presentation.map_svg import web_map
from hbmm.presentation.tables import Query, filter_form, get_table, month_start

PAGE_SIZE = 50


class BadFilter(ValueError):
    pass


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def clean_filters(table, form, scope) -> dict:
    """The filters given, as the rows function takes them: dates, numbers, a Site in scope
    (404 outside `scope`); BadFilter names the filter and the value refused. The table page and
    the API (hbmm.api) both read a table's filters with it."""
    if not form.is_valid():
        raise BadFilter(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        )
    values = {}
    for f in table.filters:
        value = form.cleaned_data.get(f.name)
        if value in (None, "", False):
            continue
        if f.type == "date":
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError as exc:
                raise BadFilter(
                    _("%(name)s: “%(value)s” is not a date (YYYY-MM-DD).")
                    % {"name": f.name, "value": value}
                ) from exc
        elif f.type == "site":
            value = get_in_scope_or_404(Site.objects.all(), scope, code=value.strip().upper())
        elif f.type == "codes":
            value = tuple(v for v in value.replace(" ", "").split(",") if v)
            allowed = [code for code, _label in f.choices]
            unknown = [v for v in value if v not in allowed]
            if unknown:
                raise BadFilter(
                    _("%(name)s: “%(value)s” is not one of %(allowed)s.")
                    % {"name": f.name, "value": unknown[0], "allowed": ", ".join(allowed)}
                )
        elif f.type == "month":
            try:
                value = month_start(value)
            except ValueError as exc:
                raise BadFilter(
                    _("%(name)s: “%(value)s” is not a month (YYYY-MM).")
                    % {"name": f.name, "value": value}
                ) from exc
        values[f.name] = value
    return values


@login_required
@require_GET
def table_page(request, key: str):
    """The records of table `key` in the reader's scope; `?format=csv|xlsx` exports them."""
    table = get_table(key)
    if table is None:
        raise Http404(f"no table {key}")
    user = request.user
    if not user.has_perm(table.permission):
        raise PermissionDenied
    fmt = request.GET.get("format") or ""
    if fmt:
        if not user.has_perm(table.export_permission):
            raise PermissionDenied
        if fmt not in FORMATS:
            return _bad_request(f"format: '{fmt}' is not one of {', '.join(FORMATS)}")
    scope, area = user_scope(user), None
    areas = area_choices(scope=scope)
    if request.GET.get("area"):
        area, scope = area_narrowing(scope=scope, pcode=request.GET["area"])
    # The drill-down of a published figure that changed: only the records entered or changed
    # after its publication (hbmm.accounts.scope, `changed_after`).
    changed_after = None
    if request.GET.get("changed_after"):
        try:
            changed_after = dt.datetime.fromisoformat(request.GET["changed_after"])
        except ValueError:
            return _bad_request(f"changed_after: '{request.GET['changed_after']}' is not a moment")
        if changed_after.tzinfo is None:
            changed_after = changed_after.replace(tzinfo=dt.UTC)
        scope = scope.changes_after(changed_after)
    form = filter_form(table, request.GET)
    try:
        filters = clean_filters(table, form, scope)
    except BadFilter as exc:
        return _bad_request(str(exc))
    # A table counted "as of" a date counts on the page's as-of date (hbmm.presentation.as_of).
    query = Query(
        scope=scope, area=area, filters=filters, reader=user, as_of=lambda: request_as_of(request)
    )
    with time_cut_gaps() as gaps:
        rows = table.read(query)
    if fmt:
        return table_export(request, table, rows, fmt=fmt, area=area, filters=filters)
    table_map = table.map(query) if table.map is not None else None
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        list(zip(table.columns, values, strict=True))
        for values in table.displayed(page.object_list)
    ]
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(
        request,
        "reports/table.html",
        {
            "table": table,
            "form": form,
            "page": page,
            "total_text": format_number(page.paginator.count),
            "area": area,
            "areas": areas,
            "scope_label": scope_label(area),
            "query": params.urlencode(),
            "map": (
                {
                    "title": table_map.title,
                    "summary": table_map.summary,
                    "svg": web_map(table_map.points, title=table_map.title),
                }
                if table_map is not None and table_map.points
                else None
            ),
            "can_export": user.has_perm(table.export_permission),
            "submission_links": user.has_perm("intake.view_submission"),
            "changed_after": changed_after,
            "changes_unknown": bool(gaps),
        },
    )


def table_export(request, table, rows, *, fmt: str, area, filters: dict) -> HttpResponse:
    """The download of a table's rows (CSV streamed, or XLSX) with its HXL row; audited. The
    table page and the API's `?format=csv|xlsx` both export with it."""
    counted = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        target=f"reports.table:{table.key}",
        details={
            "format": fmt,
            "rows": counted,
            "area": area.pcode if area is not None else None,
            "filters": {name: request.GET[name] for name in filters},
        },
        request=request,
    )
    if not isinstance(rows, list):
        rows = rows.iterator(chunk_size=2000)
    return export_response(
        fmt,
        filename=f"hbmm-{table.key}",
        header=[str(c.label) for c in table.columns],
        hxl=table.hxl,
        rows=rows,
        title=str(table.title),
    )
