"""The API's token scheme in the OpenAPI schema (drf-spectacular extension)."""

from django.utils.translation import override
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "hbmm.accounts.api_auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (My account → API tokens): "
            "`Authorization: Bearer hbmm_…`",
        }


def schema_yaml() -> str:
    """The OpenAPI 3 schema of /api/v1/ as YAML, in English: what docs/openapi.yaml holds."""
    with override("en"):
        generator = SchemaGenerator()
        schema = generator.get_schema(request=None, public=True)
        return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()
