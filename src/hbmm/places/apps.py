from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "hbmm.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self):
        # Imported here, not at the top: these modules import models, which Django allows only
        # once the app registry is ready.
        import hbmm.places.tables  # noqa: F401  (registers the site table)
        from hbmm.web.nav import NavItem, register

        register(
            NavItem(
                label=_("Places"),
                url_name="places:site_list",
                permission="places.view_site",
                order=80,
            )
        )
