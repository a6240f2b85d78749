"""The API's own endpoints beside the generated tables (hbmm.api.tables): a screening's
identifiers (audited), and the reader's own account."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hbmm.accounts.api_auth import request_token
from hbmm.accounts.models import User
from hbmm.accounts.scope import user_scope
from hbmm.accounts.selectors import user_roles
from hbmm.api.errors import ERRORS
from hbmm.health.screening import selectors as screening_selectors


class ScreeningIdentifiersView(APIView):
    @extend_schema(
        operation_id="health_screenings_identifiers",
        summary="A screened traveller's identifiers",
        description="Name, phone and document number of one screening: needs "
        "`health.view_identifiers` (403), the screening in your scope (404); every read is "
        "written to the audit log.",
        tags=["health"],
        responses={
            **ERRORS,
            200: inline_serializer(
                "ScreeningIdentifiers",
                fields={
                    "id": serializers.IntegerField(),
                    "person_key": serializers.CharField(),
                    "identifiers": serializers.DictField(child=serializers.CharField()),
                },
            ),
        },
    )
    def get(self, request: Request, pk: int):
        if not request.user.has_perm("health.view_screening"):
            raise PermissionDenied
        screening = screening_selectors.screening_get(scope=user_scope(request.user), pk=pk)
        identifiers = screening_selectors.screening_identifiers_read(
            user=request.user, screening=screening, request=request._request
        )
        return Response(
            {"id": screening.pk, "person_key": screening.person_key, "identifiers": identifiers}
        )


class MeView(APIView):
    @extend_schema(
        operation_id="me",
        summary="Who the token or session is",
        tags=["account"],
        responses={
            **ERRORS,
            200: inline_serializer(
                "Me",
                fields={
                    "username": serializers.CharField(),
                    "roles": serializers.ListField(child=serializers.CharField()),
                    "national": serializers.BooleanField(),
                    "token": inline_serializer(
                        "TokenInfo",
                        fields={
                            "name": serializers.CharField(),
                            "read_only": serializers.BooleanField(),
                            "expires_at": serializers.DateTimeField(),
                        },
                        allow_null=True,
                    ),
                },
            ),
        },
    )
    def get(self, request: Request):
        token = request_token(request)
        user = request.user
        assert isinstance(user, User)  # IsAuthenticated
        return Response(
            {
                "username": user.get_username(),
                "roles": [r["code"] for r in user_roles(user)],
                "national": user_scope(user).is_national,
                "token": (
                    {
                        "name": token.name,
                        "read_only": token.read_only,
                        "expires_at": token.expires_at.isoformat().replace("+00:00", "Z"),
                    }
                    if token is not None
                    else None
                ),
            }
        )


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other address under /api/v1/: a JSON 404 (not the site's HTML page)."""

    def get(self, request: Request, rest: str = ""):
        raise NotFound

    post = put = patch = delete = get
