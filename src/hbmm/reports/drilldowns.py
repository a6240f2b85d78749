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

import csv
import io
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


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def csv_chunks(spec: DrilldownSpec, rows: Iterable[tuple]) -> Iterable[str]:
    """CSV text in chunks: a header row, the HXL hashtag row when the columns have tags, rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c.label) for c in spec.columns])
    if any(c.hxl for c in spec.columns):
        writer.writerow([c.hxl for c in spec.columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(v) for v in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(spec: DrilldownSpec, rows: Iterable[tuple]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(spec.title)[:31] or "data")
    sheet.append([str(c.label) for c in spec.columns])
    if any(c.hxl for c in spec.columns):
        sheet.append([c.hxl for c in spec.columns])
    for row in rows:
        sheet.append([_cell(v) if not isinstance(v, int | float) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
