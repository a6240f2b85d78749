import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hbmm.places.services import RegistryImportError, site_registry_import
from hbmm.tabular import TableError, read_rows


class Command(BaseCommand):
    help = (
        "Import a site registry (CSV or XLSX): sites are created or updated by code. "
        "All or nothing: any error lists every bad row and field, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the registry file (.csv or .xlsx)")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = site_registry_import(rows=read_rows(file), source=file.name)
        except RegistryImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                f"{len(exc.errors)} error(s) in {file.name}: nothing was imported"
            ) from exc
        except (TableError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"{file.name}: cannot be read as a table ({exc})") from exc
        self.stdout.write(
            f"{file.name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
