from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load the demonstration data (deterministic; goes through the real intake pipeline). "
        "Does nothing for a module whose demo data is already loaded."
    )

    def handle(self, *args, **options):
        # Each app with a `demo` module loads its own, in INSTALLED_APPS order.
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("hbmm.") and find_spec(module_name):
                import_module(module_name).load(self.stdout)
