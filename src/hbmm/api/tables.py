"""The API's read endpoints of records, generated from the table registry
(`hbmm.presentation.tables`): one list (and, for tables of records, one detail) per registered
table, with the table's columns, filters, permission and rows function, so a table declared
once is a page, a drill-down, an export and an API endpoint, read through the same selectors
with the same scope.

    GET /api/v1/<app>/<table>/?<filters>&area=PCODE&cursor=…&limit=100   JSON page
    GET /api/v1/<app>/<table>/?format=csv|xlsx                           the table's export
    GET /api/v1/<app>/<table>/<id>/                                      one record

Field names are the columns' keys with "__" written "_" (site__code -> site_code); every
field's description carries its label and HXL hashtag. Access: the table's permission (403),
the reader's scope (a record or `area` out of scope is 404), and the record rules a table's
rows apply to the reader (`Query.reader`); exports also need the table's export permission
(`reports.export_figures` unless the table names its own) and are audited.
"""

import datetime as dt
import inspect
import re
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hbmm.accounts.scope import user_scope
from hbmm.api.errors import ERRORS
from hbmm.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page, parse_limit
from hbmm.exports import FORMATS, XLSX_TYPE
from hbmm.places.selectors import area_narrowing
from hbmm.presentation.table_views import BadFilter, clean_filters, table_export
from hbmm.presentation.tables import (
    Column,
    Filter,
    Query,
    Table,
    filter_form,
    get_table,
    registered_tables,
)
from hbmm.reports.registry import latest_data_date

LIST_FORMATS = ("json", *FORMATS)


def field_name(column: Column) -> str:
    return column.key.replace("__", "_")


def json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_dict(table: Table, row) -> dict:
    return {field_name(c): json_value(v) for c, v in zip(table.columns, row, strict=True)}


def _described(column: Column) -> str:
    text = str(column.label)
    if column.choices:
        text += ". Codes: " + ", ".join(f"{code} ({label})" for code, label in column.choices)
    return f"{text}. HXL: {column.hxl}" if column.hxl else text


def _schema_field(column: Column) -> serializers.Field:
    text = _described(column)
    if column.type in ("int", "submission"):
        return serializers.IntegerField(allow_null=True, read_only=True, help_text=text)
    if column.type == "decimal":
        return serializers.FloatField(allow_null=True, read_only=True, help_text=text)
    if column.type == "date":
        return serializers.DateField(allow_null=True, read_only=True, help_text=text)
    if column.type == "datetime":
        return serializers.DateTimeField(allow_null=True, read_only=True, help_text=text)
    if column.type == "bool":
        return serializers.BooleanField(allow_null=True, read_only=True, help_text=text)
    if column.type == "codes":
        return serializers.ListField(
            child=serializers.CharField(), allow_null=True, read_only=True, help_text=text
        )
    if column.type == "counts":
        return serializers.DictField(
            child=serializers.IntegerField(), allow_null=True, read_only=True, help_text=text
        )
    return serializers.CharField(allow_null=True, read_only=True, help_text=text)  # text, code


def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]", key))


def row_serializer(table: Table) -> type[serializers.Serializer]:
    """The table's row as a serializer: used for the OpenAPI schema (rows are written as
    dicts directly, a serializer per row costs more than the query)."""
    with override("en"):
        fields = {field_name(c): _schema_field(c) for c in table.columns}
    return type(f"{_camel(table.key)}Row", (serializers.Serializer,), fields)


def _codes_pattern(codes) -> str:
    alternatives = "|".join(re.escape(code) for code in codes)
    return f"^({alternatives})(,({alternatives}))*$"


def _filter_field(f: Filter) -> serializers.Field:
    label = str(f.label)
    if f.type == "date":
        return serializers.DateField(required=False, help_text=label)
    if f.type == "month":
        return serializers.RegexField(
            r"^[0-9]{4}-(0[1-9]|1[0-2])$", required=False, help_text=f"{label} (YYYY-MM)"
        )
    if f.type == "int":
        return serializers.IntegerField(required=False, min_value=1, help_text=label)
    if f.type == "bool":
        return serializers.BooleanField(required=False, help_text=label)
    if f.type == "choice":
        return serializers.ChoiceField(
            choices=[code for code, _l in f.choices], required=False, help_text=label
        )
    if f.type == "codes":
        codes = [code for code, _l in f.choices]
        return serializers.RegexField(
            _codes_pattern(codes),
            required=False,
            help_text=f"{label} (comma-separated: {', '.join(codes)})",
        )
    if f.type == "site":
        return serializers.CharField(
            required=False, max_length=40, help_text=f"{label}: a site in your scope, else 404"
        )
    return serializers.CharField(required=False, max_length=40, help_text=label)


AREA = serializers.CharField(
    required=False, max_length=20, help_text="P-code: only this area (404 outside your scope)"
)


def query_serializer(table: Table, *, listing: bool) -> type[serializers.Serializer]:
    """The query parameters of a table's endpoint, as a serializer (for the schema; the
    parameters are read by the table's filter form, as the page reads them)."""
    with override("en"):
        fields: dict[str, serializers.Field] = {f.name: _filter_field(f) for f in table.filters}
        fields["area"] = AREA
        if listing:
            fields["cursor"] = serializers.RegexField(
                r"^[A-Za-z0-9_-]+$", required=False, help_text="the `next` cursor of a page"
            )
            fields["limit"] = serializers.IntegerField(
                required=False,
                min_value=1,
                max_value=MAX_LIMIT,
                help_text=f"rows per page (default {DEFAULT_LIMIT})",
            )
            fields["format"] = serializers.ChoiceField(
                choices=list(LIST_FORMATS),
                required=False,
                help_text="json (pages), or csv / xlsx: every row in one file, with the HXL "
                "row (needs the export permission; audited)",
            )
    suffix = "ListQuery" if listing else "Query"
    return type(f"{_camel(table.key)}{suffix}", (serializers.Serializer,), fields)


def _read_query(request: Request, table: Table) -> Query:
    """The reader's scope (narrowed to `area`) and the table's filters, as the page reads
    them; 403 without the table's permission."""
    if not request.user.has_perm(table.permission):
        raise PermissionDenied
    scope, area = user_scope(request.user), None
    if request.query_params.get("area"):
        area, scope = area_narrowing(scope=scope, pcode=request.query_params["area"])
    form = filter_form(table, request.query_params)
    try:
        filters = clean_filters(table, form, scope)
    except BadFilter as exc:
        raise ValidationError({"detail": str(exc)}) from exc
    # A table counted "as of" a date counts, as its page does by default, on the reader's
    # latest data (an API reader has no session to carry a chosen date: `as_of` filters).
    return Query(
        scope=scope,
        area=area,
        filters=filters,
        reader=request.user,
        as_of=lambda: latest_data_date(request.user, user_scope(request.user)) or dt.date.today(),
    )


class TableListView(APIView):
    table_key = ""

    def get(self, request: Request):
        table = get_table(self.table_key)
        assert table is not None
        fmt = request.query_params.get("format") or "json"
        if fmt not in LIST_FORMATS:
            raise ValidationError({"format": f"'{fmt}' is not one of {', '.join(LIST_FORMATS)}"})
        query = _read_query(request, table)
        if fmt != "json":
            if not request.user.has_perm(table.export_permission):
                raise PermissionDenied
            return table_export(
                request._request,
                table,
                table.read(query),
                fmt=fmt,
                area=query.area,
                filters=query.filters,
            )
        limit = parse_limit(request.query_params.get("limit"))
        rows = table.rows(query)
        page = keyset_page(
            table.gated(rows) if isinstance(rows, QuerySet) else rows,
            table.read_keys,
            cursor=request.query_params.get("cursor"),
            limit=limit,
        )
        next_url = None
        if page.next_cursor:
            params = request.query_params.copy()
            params["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({"next": next_url, "results": [row_dict(table, row) for row in page.rows]})


class TableDetailView(APIView):
    table_key = ""

    def get(self, request: Request, pk: int):
        table = get_table(self.table_key)
        assert table is not None
        rows = table.rows(_read_query(request, table))
        if not isinstance(rows, QuerySet):
            raise Http404
        found = list(table.gated(rows.filter(pk=pk)).values_list(*table.read_keys)[:1])
        if not found:
            raise Http404
        return Response(row_dict(table, found[0]))


def _is_record_table(table: Table) -> bool:
    """Whether the table's rows are a QuerySet of records (then it has a detail endpoint):
    tables computed row by row (a generator) have none."""
    return not inspect.isgeneratorfunction(table.rows)


def _view(base: type[APIView], name: str, key: str, **schema) -> type[APIView]:
    """A view class of table `key`, with its own OpenAPI description."""
    view = type(name, (base,), {"table_key": key})
    return extend_schema_view(get=extend_schema(**schema))(view)


def table_urls() -> list:
    """The URL patterns of every registered table's endpoints."""
    patterns = []
    for table in registered_tables():
        route = table.key.replace(".", "/").replace("_", "-")
        name = table.key.replace(".", "-")
        with override("en"):
            title, description = str(table.title), str(table.description)
        row = row_serializer(table)
        tag = table.key.split(".")[0]
        listed = _view(
            TableListView,
            f"{_camel(table.key)}List",
            table.key,
            operation_id=f"{name.replace('-', '_')}_list",
            summary=title,
            description=description,
            tags=[tag],
            parameters=[query_serializer(table, listing=True)],
            responses={
                **ERRORS,
                (200, "text/csv"): OpenApiTypes.STR,
                (200, XLSX_TYPE): OpenApiTypes.BINARY,
                (200, "application/json"): inline_serializer(
                    f"{_camel(table.key)}Page",
                    fields={
                        "next": serializers.URLField(allow_null=True),
                        "results": row(many=True),
                    },
                ),
            },
        )
        patterns.append(path(f"{route}/", listed.as_view(), name=f"{name}-list"))
        if _is_record_table(table):
            detail = _view(
                TableDetailView,
                f"{_camel(table.key)}Detail",
                table.key,
                operation_id=f"{name.replace('-', '_')}_retrieve",
                summary=f"{title}: one record",
                tags=[tag],
                parameters=[query_serializer(table, listing=False)],
                responses={**ERRORS, 200: row},
            )
            patterns.append(path(f"{route}/<int:pk>/", detail.as_view(), name=f"{name}-detail"))
    return patterns
