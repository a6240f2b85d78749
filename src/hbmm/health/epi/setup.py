"""Wiring of the epidemiological series sub-module, called from HealthConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from hbmm.web.nav import NavItem, register


def ready() -> None:
    import hbmm.health.epi.admin  # noqa: F401  (registers the admin pages; needs the app registry)
    import hbmm.health.epi.tables  # noqa: F401  (registers the tables)

    register(
        NavItem(
            label=_("Epidemiology"),
            url_name="health:epi",
            permission="health.view_epivalue",
            order=40,
        )
    )
