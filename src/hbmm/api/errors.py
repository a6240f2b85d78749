"""The error answers every API operation may give, as the OpenAPI schema declares them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="A parameter or field refused: its name, why."
    ),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="No token, or an invalid one."),
    403: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Your role does not allow this (or the token is read-only).",
    ),
    404: OpenApiResponse(
        OpenApiTypes.OBJECT, description="Not found, or outside your geographic scope."
    ),
    429: OpenApiResponse(
        OpenApiTypes.OBJECT, description="Too many requests for this token (HBMM_API_RATE)."
    ),
}
