from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load or update the reference data shipped with HBMM (P-codes, sites, roles...). Idempotent."

    def handle(self, *args, **options):
        # Each app with a `reference` module loads its own, in INSTALLED_APPS order.
        for config in apps.get_app_configs():
            module_name = f"{config.name}.reference"
            if config.name.startswith("hbmm.") and find_spec(module_name):
                import_module(module_name).load(self.stdout)
