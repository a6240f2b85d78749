"""hbmm anonymise --older-than 24-months: closed protection cases lose their identifiers."""

import re

from django.core.management.base import BaseCommand, CommandError

from hbmm.protection.services import cases_anonymise


def months(text: str) -> int:
    match = re.fullmatch(r"(\d+)(?:-?months?)?", text.strip())
    if not match or int(match.group(1)) < 1:
        raise ValueError(text)
    return int(match.group(1))


class Command(BaseCommand):
    help = (
        "Remove the name, phone, document and person key of protection cases closed more than "
        "N months ago (their statistics stay)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", required=True, help="a number of months, e.g. 24-months or 24"
        )

    def handle(self, *args, **options):
        try:
            count = months(options["older_than"])
        except ValueError as exc:
            raise CommandError(
                f"--older-than: '{options['older_than']}' is not a number of months (24-months)"
            ) from exc
        done = cases_anonymise(older_than_months=count)
        self.stdout.write(f"{done} closed case(s) anonymised (closed more than {count} months ago)")
