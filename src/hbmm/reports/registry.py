"""Sections of the situation overview and the situation report.

A section is a title and a function `build(ctx) -> SectionResult`, registered by a small module
in `hbmm.reports.sections` that calls one domain app's selectors. The overview page, the
situation report (HTML, PDF, Markdown) and the `hbmm sitrep` command all iterate the same
registered sections in order, so a new module adds its section once and shows everywhere.

A section that has nothing for the date and scope returns `SectionResult.empty(...)`: the page
hides it, the report says "no data" instead of printing zeros.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from hbmm.accounts.scope import Scope, user_scope
from hbmm.places.models import AdminArea
from hbmm.presentation.as_of import stale_date
from hbmm.presentation.charts import Chart
from hbmm.presentation.figures import Figure, Text
from hbmm.presentation.maps import MapPoint


@dataclass(frozen=True)
class Context:
    """What every section computes for: a reader (whose permissions choose the sections), the
    scope the figures count (the reader's, narrowed to the chosen area) and a date."""

    user: object
    scope: Scope
    as_of: date
    area: AdminArea | None = None  # the area chosen to narrow the reader's scope, or None

    @classmethod
    def of(
        cls,
        user,
        *,
        as_of: date,
        area: AdminArea | None = None,
        known_on: datetime | None = None,
    ) -> "Context":
        """The context of `user` (their own scope, narrowed to `area` when one is chosen);
        `known_on`: only the records HBMM knew at that moment (a report reproduced as it was)."""
        scope = user_scope(user)
        scope = scope.narrow(area) if area else scope
        return cls(user=user, scope=scope.as_known_on(known_on), as_of=as_of, area=area)

    @property
    def known_on(self) -> datetime | None:
        return self.scope.known_on

    @property
    def area_pcode(self) -> str | None:
        return self.area.pcode if self.area is not None else None


@dataclass
class SectionResult:
    figures: list[Figure] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    map_points: list[MapPoint] = field(default_factory=list)
    map_title: Text = ""
    no_data: bool = False
    no_data_message: str = ""
    latest: date | None = None  # the newest data the section holds on or before as_of

    @classmethod
    def empty(cls, message: str) -> "SectionResult":
        return cls(no_data=True, no_data_message=message)

    @property
    def has_data(self) -> bool:
        return not self.no_data


@dataclass(frozen=True)
class Section:
    """One part of the overview. `role` places it in the report's layout:

    - "headline": the boxed figures at the top ("COVID-19 situation in Mali as of ...");
    - "body": figures and sentences under its title;
    - "annex": shown on the page, and in the report after the charts and map.
    """

    key: str
    title: Text
    build: Callable[[Context], SectionResult]
    order: int = 50
    permission: str | None = None  # a user without it does not see the section
    role: str = "body"
    latest: Callable[[Scope], date | None] | None = None  # newest data in a scope: default date
    in_report: bool = True  # included in the situation report (always on the page)
    report_graphics: bool = True  # its charts and map go in the report too
    front: bool = False  # a "body" section whose figures the report's first page shows
    public: bool = True  # False: no figure of it in public outputs (protection data), even counted


@dataclass
class SectionOutput:
    section: Section
    result: SectionResult
    as_of: date | None = None  # the date asked for

    @property
    def data_date(self) -> date | None:
        """The date of the section's newest data when it is older than the date asked for (the
        COVID-19 box of 31 March 2021 gives the figures of 31 December 2020: it says so)."""
        return stale_date(self.result.latest, self.as_of) if self.as_of else None

    @property
    def heading_date(self) -> date | None:
        return self.data_date or self.as_of

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def title(self) -> str:
        return self.section.title


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add (or replace, by key) a section; called at import time by the section modules."""
    _SECTIONS[section.key] = section
    return section


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections_for(user) -> list[Section]:
    """Registered sections the user may see, in order."""
    return [
        s
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
        if s.permission is None or user.has_perm(s.permission)
    ]


def latest_data_date(user, scope: Scope) -> date | None:
    """The newest date any section `user` sees has data for in `scope` (the overview's default
    as-of date)."""
    dates = [s.latest(scope) for s in sections_for(user) if s.latest is not None]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def build_sections(ctx: Context) -> list[SectionOutput]:
    return [
        SectionOutput(section=s, result=s.build(ctx), as_of=ctx.as_of)
        for s in sections_for(ctx.user)
    ]
