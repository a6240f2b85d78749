from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


class PlacesConfig(AppConfig):
    name = "hbmm.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self):
        register(
            NavItem(
                label=_("Places"),
                url_name="places:site_list",
                permission="places.view_site",
                order=80,
            )
        )
