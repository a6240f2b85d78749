import pkgutil
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
        # Each app with a `demo` module loads its own, in INSTALLED_APPS order, then the
        # `demo` modules of its sub-packages (e.g. hbmm.health.screening.demo).
        for config in apps.get_app_configs():
            if not config.name.startswith("hbmm."):
                continue
            subpackages = sorted(
                m.name for m in pkgutil.iter_modules(config.module.__path__) if m.ispkg
            )
            for module_name in [f"{config.name}.demo"] + [
                f"{config.name}.{sub}.demo" for sub in subpackages
            ]:
                if find_spec(module_name):
                    import_module(module_name).load(self.stdout)
