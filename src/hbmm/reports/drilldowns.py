"""Drill-downs: the records a figure counts, listed on a page and exported as CSV or XLSX.

A section module registers, next to its figures, the drill-downs they point to:

    register_drilldown(DrilldownSpec(
        key="places.sites", title=_("Sites"), permission="places.view_site",
        columns=[Column("code", _("Code"), "#loc+code"), ...],
        rows=lambda ctx, params: ...,   # an iterable of tuples, in column order, scoped
    ))

`rows` receives the same `Context` as the sections (reader narrowed to the chosen area, as-of
date) and the figure's parameters; it reads through domain selectors, so scope applies.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hbmm.reports.registry import Context


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    hxl: str = ""


@dataclass(frozen=True)
class DrilldownSpec:
    key: str
    title: str
    columns: list[Column]
    rows: Callable[[Context, dict], Iterable[tuple]]
    params: tuple[str, ...] = ()  # query parameters the drill-down accepts
    permission: str | None = None
    description: str = ""
    choices: dict = field(default_factory=dict)  # param -> allowed values (checked)


class DrilldownParamError(ValueError):
    pass


_DRILLDOWNS: dict[str, DrilldownSpec] = {}


def register_drilldown(spec: DrilldownSpec) -> DrilldownSpec:
    _DRILLDOWNS[spec.key] = spec
    return spec


def get_drilldown(key: str) -> DrilldownSpec | None:
    import hbmm.reports.sections  # noqa: F401  (registers the drill-downs)

    return _DRILLDOWNS.get(key)


def clean_params(spec: DrilldownSpec, query) -> dict:
    """The drill-down's own parameters from a query dict; unknown choices are an error."""
    params = {}
    for name in spec.params:
        value = query.get(name)
        if value in (None, ""):
            continue
        allowed = spec.choices.get(name)
        if allowed is not None and value not in allowed:
            raise DrilldownParamError(f"{name}: '{value}' is not one of {', '.join(allowed)}")
        params[name] = value
    return params
