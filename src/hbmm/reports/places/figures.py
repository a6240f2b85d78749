"""The named figures of the site registry, each a `hbmm.presentation.figures.Figure` built from
`hbmm.places.selectors`: the sites active on a date in the reader's scope, in all and by kind."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext as _

from hbmm.accounts.scope import Scope
from hbmm.places import selectors
from hbmm.places.models import SiteKind
from hbmm.presentation.figures import FACT, Drilldown, Figure

# Kinds shown as figures, in this order (the others are still counted in the total).
FIGURE_KINDS = [
    SiteKind.BORDER_CROSSING_POINT,
    SiteKind.INTERNAL_TRANSIT_POINT,
    SiteKind.SANITARY_CORDON,
    SiteKind.FLOW_MONITORING_POINT,
    SiteKind.MRRC,
]


def kind_name(row: dict) -> str:
    """A site kind's name (a `sites_per_kind` row) in the active language."""
    return row["name_en"] if (get_language() or "fr").startswith("en") else row["name_fr"]


@dataclass(frozen=True)
class SiteFigures:
    total: Figure
    by_kind: list[Figure]  # FIGURE_KINDS, in that order
    per_kind: dict  # every kind's count (selectors.sites_per_kind)
    sites: QuerySet  # the sites counted

    @property
    def figures(self) -> list[Figure]:
        return [self.total, *self.by_kind]


def sites_active(*, scope: Scope, as_of: dt.date) -> SiteFigures:
    sites = selectors.sites_active(scope=scope, as_of=as_of)
    per_kind = selectors.sites_per_kind(sites=sites)
    total = Figure(
        disclosure=FACT,
        key="places.sites",
        label=_("Registered sites"),
        value=sites.count(),
        as_of=as_of,
        unit=ngettext_lazy("site", "sites"),
        definition=_(
            "Sites of the site registry in the selected scope that are active on the "
            "as-of date (active from/to dates), whatever their kind."
        ),
        drilldown=Drilldown("places.sites", {"as_of": as_of.isoformat()}),
    )
    by_kind = []
    for code in FIGURE_KINDS:
        row = per_kind.get(code)
        if row is None:
            continue
        name = kind_name(row)
        by_kind.append(
            Figure(
                disclosure=FACT,
                key=f"places.sites.{code}",
                label=name,
                value=row["n"],
                as_of=as_of,
                definition=_(
                    "Sites of kind “%(kind)s” in the selected scope, active on the as-of date. "
                    "A site of several kinds counts under each."
                )
                % {"kind": name},
                drilldown=Drilldown("places.sites", {"as_of": as_of.isoformat(), "kind": code}),
            )
        )
    return SiteFigures(total=total, by_kind=by_kind, per_kind=per_kind, sites=sites)
