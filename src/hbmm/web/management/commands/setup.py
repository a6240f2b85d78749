from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Bring the database up to date in one process: migrate, load the reference data, "
        "create an administrator if none exists, load the demonstration data (unless --no-demo). "
        "Idempotent: `make run` calls it at every start."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo", action="store_true", help="do not load the demonstration data"
        )

    def handle(self, *args, no_demo: bool, **options):
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout)
        call_command("load_reference", stdout=self.stdout)
        call_command("ensure_admin", stdout=self.stdout)
        if not no_demo:
            call_command("demo", stdout=self.stdout)
