"""The named figures of the epidemiological series: the COVID-19 situation as of a date
(confirmed, recovered, deaths, new cases and their 7-day average, active cases, tests), each a
`hbmm.presentation.figures.Figure` built from `hbmm.health.epi.selectors`, for the epidemiology page,
the situation overview and report, and the API."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hbmm.accounts.scope import Scope
from hbmm.health.epi import selectors
from hbmm.places.models import AdminArea
from hbmm.presentation.figures import Drilldown, Figure


@dataclass(frozen=True)
class EpiSituation:
    """The situation on a date, from one source, for one area (the country by default)."""

    area: AdminArea
    source: str | None
    source_label: str
    confirmed: Figure
    recovered: Figure
    deaths: Figure
    new_cases: Figure
    average_7d: Figure
    active: Figure
    tests: Figure
    corrections: list  # every decrease of a cumulative value in the series up to the date

    @property
    def has_data(self) -> bool:
        return self.confirmed.has_data

    @property
    def headline(self) -> list[Figure]:
        """The figures of the report's headline box, in its order (those with data)."""
        optional = (self.new_cases, self.average_7d, self.active)
        return [self.confirmed, self.recovered, self.deaths] + [f for f in optional if f.has_data]


def situation(
    *, scope: Scope, as_of: dt.date, area: AdminArea | None = None, source: str | None = None
) -> EpiSituation:
    """The plan's "806 confirmed, 455 recovered, 46 deaths as of 15 May 2020": each cumulative
    figure from the latest report on or before `as_of` (as of that report's date)."""
    data = selectors.epi_figures(scope=scope, as_of=as_of, area=area, source=source)
    where, source_label = data.area.name, data.source_label
    params = {"as_of": as_of.isoformat()}
    if area is not None and area.level > 0:  # a region's own series
        params["area"] = area.pcode
    drill = Drilldown("health.epi", params)

    def cumulative(key, label, figure, what):
        return Figure(
            key=f"covid.{key}",
            # confirmed = recovered + deaths + active: a part is not given back by the others
            within="covid.confirmed" if key in ("recovered", "deaths") else "",
            label=label,
            value=figure.value,
            as_of=figure.reported_on,
            definition=_(
                "%(what)s in %(area)s, cumulative since the start of the epidemic, from the latest "
                "report on or before the as-of date (source: %(source)s)."
            )
            % {"what": what, "area": where, "source": source_label},
            drilldown=drill,
        )

    return EpiSituation(
        area=data.area,
        source=data.source,
        source_label=source_label,
        confirmed=cumulative(
            "confirmed", _("Cases confirmed"), data.confirmed, _("Confirmed cases")
        ),
        recovered=cumulative(
            "recovered", _("Recovered cases"), data.recovered, _("Recovered cases")
        ),
        deaths=cumulative(
            "deaths", _("Confirmed deaths"), data.deaths, _("Deaths of confirmed cases")
        ),
        tests=cumulative("tests", _("Tests performed"), data.tests, _("Tests performed")),
        new_cases=Figure(
            key="covid.new_cases",
            label=_("New cases"),
            value=data.new_cases,
            as_of=as_of,
            definition=_(
                "Confirmed cases on the as-of date minus those of the previous report "
                "(source: %(source)s)."
            )
            % {"source": source_label},
            drilldown=drill,
        ),
        average_7d=Figure(
            key="covid.average_7d",
            label=_("New cases, 7-day average"),
            value=data.average_7d,
            decimals=1,
            as_of=as_of,
            definition=_(
                "Confirmed cases on the as-of date minus those 7 days before, divided by 7."
            ),
            drilldown=drill,
        ),
        active=Figure(
            key="covid.active",
            within="covid.confirmed",
            label=_("Active cases"),
            value=data.active,
            as_of=data.confirmed.reported_on,
            definition=_("Confirmed cases minus recovered minus deaths."),
            drilldown=drill,
        ),
        corrections=data.corrections,
    )
