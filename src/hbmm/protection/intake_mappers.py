"""Intake mapper of protection: the temporary site monitoring form (CCCM).

    site_monitoring -> SiteMonitoring

Field names are the form's (tools/forms/cccm_forms.py); files may use the French aliases.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.intake.cleaning import _raw, clean_date, clean_int, clean_site, clean_text
from hbmm.intake.mappers import (
    FieldError,
    Item,
    Mapper,
    MappingError,
    items_by_context,
    register,
)
from hbmm.places.lookups import Lookups
from hbmm.protection import services
from hbmm.protection.models import Distancing, SiteMonitoring
from hbmm.text import normalise_name

# Words as normalise_name leaves them (no case, accent, space nor punctuation).
DISTANCING_WORDS = {
    "notstarted": Distancing.NOT_STARTED,
    "noncommence": Distancing.NOT_STARTED,
    "pascommence": Distancing.NOT_STARTED,
    "inprogress": Distancing.IN_PROGRESS,
    "encours": Distancing.IN_PROGRESS,
    "done": Distancing.DONE,
    "fait": Distancing.DONE,
    "termine": Distancing.DONE,
}


def clean_distancing(data: dict, name: str, errors: list) -> str:
    value = _raw(data, name)
    if value is None:
        return ""
    word = DISTANCING_WORDS.get(normalise_name(str(value)))
    if word is None:
        errors.append(
            FieldError(name, value, _("Expected one of: %s.") % ", ".join(Distancing.values))
        )
        return ""
    return word


class SiteMonitoringMapper(Mapper):
    form_id = "site_monitoring"
    example = {
        "date": "2020-04-28",
        "site": "IDP-SENOU",
        "population": "300",
        "households": "60",
        "isolation_tents": "1",
        "isolation_capacity": "4",
        "handwashing_points": "3",
        "latrines": "6",
        "distancing": "in_progress",
        "note": "",
    }
    model = SiteMonitoring
    permission = "protection.add_sitemonitoring"
    title = gettext_lazy("Temporary site monitoring")
    site_field = "site"
    aliases = {
        "date": ("date_visite", "date_de_visite", "visit_date", "jour"),
        "site": ("site_code", "site_de_deplaces", "lieu"),
        "population": ("individus", "personnes", "individuals", "population_totale"),
        "households": ("menages", "ménages", "hh"),
        "isolation_tents": ("tentes_isolement", "tentes_d_isolement"),
        "isolation_capacity": ("capacite_isolement", "capacite_d_isolement"),
        "handwashing_points": ("points_lavage_mains", "points_de_lavage_des_mains"),
        "latrines": ("latrines_fonctionnelles",),
        "distancing": ("distanciation", "reorganisation"),
        "note": ("remarques", "observations", "commentaire"),
    }

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "date", errors, required=True, not_future=True)
        site = clean_site(
            data,
            "site",
            errors,
            lookups,
            submitter=submitter,
            on=day,
            kinds=(services.IDP_SITE_KIND,),
        )
        population = clean_int(data, "population", errors, required=True, minimum=0)
        cleaned: dict[str, Any] = {"site": site, "date": day, "population": population}
        for name in (
            "households",
            "isolation_tents",
            "isolation_capacity",
            "handwashing_points",
            "latrines",
        ):
            cleaned[name] = clean_int(data, name, errors, minimum=0)
        cleaned["distancing"] = clean_distancing(data, "distancing", errors)
        cleaned["note"] = clean_text(data, "note", errors)
        households = cleaned["households"]
        if households is not None and population is not None and households > population:
            errors.append(
                FieldError("households", households, _("More households than individuals."))
            )
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        """Each item as a `SiteMonitoringRow`, one batch save per context (submitter, sender,
        channel, demo flag)."""
        for ctx, group in items_by_context(items).items():
            rows = [
                services.SiteMonitoringRow(
                    submission_id=item.submission_id, existing=item.edited, **item.cleaned
                )
                for item in group
            ]
            services.site_monitoring_save_batch(rows, ctx=ctx)


def register_all() -> None:
    register(SiteMonitoringMapper())
