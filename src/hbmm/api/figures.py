"""The figures of the situation overview and report as JSON: the same `Figure` objects
(`hbmm.presentation.figures`), built by the same sections for the same reader, date and area."""

from datetime import date

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hbmm.accounts.scope import user_scope
from hbmm.api.errors import ERRORS
from hbmm.api.tables import json_value
from hbmm.places.selectors import area_narrowing
from hbmm.presentation.figures import Figure
from hbmm.reports.registry import Context, build_sections, latest_data_date

VIEW_PERMISSION = "reports.view_situation"


def figure_data(figure: Figure, request: Request) -> dict:
    """A Figure as the API writes it: the value and what it means."""
    drilldown = None
    if figure.drilldown is not None:
        try:
            api = reverse(f"api:{figure.drilldown.key.replace('.', '-')}-list")
        except NoReverseMatch:
            api = None
        drilldown = {
            "table": figure.drilldown.key,
            "filters": {k: json_value(v) for k, v in figure.drilldown.params.items()},
            "url": request.build_absolute_uri(api) if api else None,
        }
    share = figure.share
    return {
        "key": figure.key,
        "label": str(figure.label),
        "value": json_value(figure.value),
        "denominator": figure.denominator,
        "share": round(float(share), 4) if share is not None else None,
        "unit": str(figure.unit),
        "as_of": json_value(figure.as_of),
        "definition": str(figure.definition),
        "note": str(figure.note),
        "display": figure.display,
        "parts": {k: json_value(v) for k, v in figure.parts.items()},
        "drilldown": drilldown,
    }


def _figure_serializer(**kwargs):
    return inline_serializer(
        "Figure",
        fields={
            "key": serializers.CharField(),
            "label": serializers.CharField(),
            "value": serializers.FloatField(allow_null=True),
            "denominator": serializers.IntegerField(allow_null=True),
            "share": serializers.FloatField(
                allow_null=True, help_text="value / denominator in percent, when a share"
            ),
            "unit": serializers.CharField(),
            "as_of": serializers.DateField(allow_null=True),
            "definition": serializers.CharField(),
            "note": serializers.CharField(),
            "display": serializers.CharField(
                help_text="the figure as the page and the report say it"
            ),
            "parts": serializers.DictField(help_text="the exact numbers the value is made of"),
            "drilldown": inline_serializer(
                "Drilldown",
                fields={
                    "table": serializers.CharField(),
                    "filters": serializers.DictField(),
                    "url": serializers.URLField(allow_null=True),
                },
                allow_null=True,
            ),
        },
        **kwargs,
    )


class FiguresView(APIView):
    @extend_schema(
        operation_id="figures_list",
        summary="Figures of the situation overview",
        description="Every section's figures for a date and an area, as the overview and the "
        "situation report show them (value, denominator, definition, as-of date, drill-down). "
        "Needs the permission to view the situation; counts only your scope.",
        tags=["figures"],
        parameters=[
            OpenApiParameter("as_of", date, description="date (default: the latest data)"),
            OpenApiParameter("area", str, description="P-code: only this area"),
            OpenApiParameter("section", str, description="only this section (key)"),
        ],
        responses={
            **ERRORS,
            200: inline_serializer(
                "Figures",
                fields={
                    "as_of": serializers.DateField(),
                    "area": serializers.CharField(allow_null=True),
                    "sections": inline_serializer(
                        "FigureSection",
                        fields={
                            "key": serializers.CharField(),
                            "title": serializers.CharField(),
                            "has_data": serializers.BooleanField(),
                            "latest": serializers.DateField(allow_null=True),
                            "figures": _figure_serializer(many=True),
                        },
                        many=True,
                    ),
                },
            ),
        },
    )
    def get(self, request: Request):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        scope, area = user_scope(request.user), None
        if request.query_params.get("area"):
            area, scope = area_narrowing(scope=scope, pcode=request.query_params["area"])
        text = request.query_params.get("as_of") or ""
        as_of = None
        if text:
            try:
                as_of = date.fromisoformat(text)
            except ValueError as exc:
                raise ValidationError({"as_of": f"'{text}' is not a date (YYYY-MM-DD)"}) from exc
        if as_of is None:
            as_of = latest_data_date(request.user, scope) or date.today()
        ctx = Context(user=request.user, scope=scope, as_of=as_of, area=area)
        wanted = request.query_params.get("section") or ""
        sections = []
        for output in build_sections(ctx):
            if wanted and output.key != wanted:
                continue
            sections.append(
                {
                    "key": output.key,
                    "title": str(output.title),
                    "has_data": output.result.has_data,
                    "latest": json_value(output.result.latest),
                    "figures": [figure_data(f, request) for f in output.result.figures],
                }
            )
        return Response(
            {
                "as_of": as_of.isoformat(),
                "area": area.pcode if area is not None else None,
                "sections": sections,
            }
        )
