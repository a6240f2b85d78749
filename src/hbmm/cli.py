"""The `hbmm` console command: Django's management commands with HBMM's settings."""

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    execute_from_command_line(["hbmm", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
