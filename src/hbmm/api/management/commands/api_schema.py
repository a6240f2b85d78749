"""hbmm api_schema [-o docs/openapi.yaml] [--check]: the OpenAPI schema of /api/v1/."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hbmm.api.schema import schema_yaml


class Command(BaseCommand):
    help = "Write the OpenAPI schema of the API (or, with --check, fail when FILE differs)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="docs/openapi.yaml")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, output: str, check: bool, **options):
        text = schema_yaml()
        path = Path(output)
        if check:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is not the schema of the code: run hbmm api_schema")
            self.stdout.write(f"{path} is up to date")
            return
        path.write_text(text)
        self.stdout.write(f"{path}: {text.count('operationId')} operations")
