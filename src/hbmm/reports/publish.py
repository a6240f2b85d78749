"""The public release (`hbmm publish --as-of DATE [--area PCODE] -o DIR`): an HDX-ready folder
of aggregated tables, each CSV with its HXL row, and a `datapackage.json` describing them
(title, source, methodology, date of the dataset, location, license, caveats).

Only aggregates: no screening line list, no protection data, no free text. Counts of people
go through small-cell suppression (`hbmm.disclosure`, threshold `HBMM_PUBLIC_MIN_CELL`): each
table of counts is a grid (points x months, areas x rounds, months) published with its
margins, and a withheld cell is an empty value with `#meta+suppressed` = "yes". Each count is
published in one table only. Facts about places (a point's operational status, its capacity
checklist) are not counts of people and are published as the tables declare them.
Demonstration data are left out of the CSVs unless asked for. The public situation report
(`hbmm sitrep --public`: the same suppression applied to the report's figures) is written beside
them as a PDF in French and in English.
"""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import override

from hbmm.accounts.scope import EVERYTHING, Scope
from hbmm.disclosure import suppress
from hbmm.exports import csv_lines
from hbmm.health.epi import selectors as epi_selectors
from hbmm.mobility import selectors as mobility_selectors
from hbmm.places.models import AdminArea, Site
from hbmm.presentation.tables import Query, get_table
from hbmm.reports import sitrep
from hbmm.reports.registry import Context

TOTAL = "total"
SUPPRESSED = "yes"
LICENSE = {
    "name": "CC-BY-IGO-3.0",
    "title": "Creative Commons Attribution for Intergovernmental Organisations",
    "path": "https://creativecommons.org/licenses/by/3.0/igo/legalcode",
}


@dataclass
class Dataset:
    name: str  # the file's name without .csv
    title: str
    description: str
    header: Sequence[str]
    hxl: Sequence[str]
    rows: list = field(default_factory=list)
    withheld: int = 0  # counts suppressed

    def csv_text(self) -> str:
        return "".join(csv_lines(self.header, self.rows, hxl=self.hxl))


@dataclass(frozen=True)
class Grid:
    """Counts by row key and column key, published with margins after suppression."""

    row_keys: list
    column_keys: list
    counts: dict  # (row key, column key) -> count

    def suppressed(self, threshold: int, *, row_totals: bool = True):
        """(row key or TOTAL, column key or TOTAL, value or None) of every cell and margin
        published; `row_totals=False` leaves the row totals out (then withheld too)."""
        cells = [[self.counts.get((r, c), 0) for c in self.column_keys] for r in self.row_keys]
        result = suppress(cells, threshold=threshold)
        rows_out, width = len(self.row_keys), len(self.column_keys)
        for i in range(rows_out + 1):
            for j in range(width + 1):
                if j == width and not row_totals:
                    continue
                row_key = self.row_keys[i] if i < rows_out else TOTAL
                column_key = self.column_keys[j] if j < width else TOTAL
                yield row_key, column_key, result.value(i, j)


def _flag(value) -> str:
    return SUPPRESSED if value is None else ""


def _month(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.strftime("%Y-%m")


def flows_dataset(*, scope: Scope, as_of: dt.date, threshold: int, include_demo: bool):
    rows = mobility_selectors.flow_totals_by_point_month(
        scope=scope, end=as_of, include_demo=include_demo
    )
    names = dict(Site.objects.values_list("code", "name_fr"))
    dataset = Dataset(
        name="flows-by-point-month",
        title="Travellers counted at flow monitoring points, by point, month and direction",
        description="Individuals counted at the flow monitoring points (IOM DTM flow "
        "monitoring), summed by point and calendar month, for each direction, with the "
        "totals per point, per month and overall.",
        header=["Month", "Point", "Point name", "Direction", "Individuals", "Suppressed"],
        hxl=[
            "#date+month",
            "#loc+code",
            "#loc+name",
            "#indicator+direction",
            "#population+total",
            "#meta+suppressed",
        ],
    )
    for direction in sorted({r[1] for r in rows}):
        counts = {(code, month): n for code, d, month, n in rows if d == direction}
        grid = Grid(
            row_keys=sorted({code for code, _m in counts}),
            column_keys=sorted({month for _c, month in counts}),
            counts=counts,
        )
        for code, month, value in grid.suppressed(threshold):
            dataset.withheld += value is None
            dataset.rows.append(
                (
                    _month(month),
                    code,
                    names.get(code, "") if code != TOTAL else "",
                    direction,
                    value,
                    _flag(value),
                )
            )
    return dataset


def displacement_dataset(*, scope: Scope, as_of: dt.date, threshold: int, include_demo: bool):
    rows = mobility_selectors.idps_by_area_round(
        scope=scope, as_of=as_of, include_demo=include_demo
    )
    dates = {number: day for _p, number, day, _n in rows}
    counts = {(pcode, number): n for pcode, number, _d, n in rows}
    names = dict(
        AdminArea.objects.filter(pcode__in={p for p, _n in counts}).values_list("pcode", "name_fr")
    )
    grid = Grid(
        row_keys=sorted({p for p, _n in counts}),
        column_keys=sorted(dates),
        counts=counts,
    )
    dataset = Dataset(
        name="idps-by-area-round",
        title="Internally displaced persons by admin area and round",
        description="Internally displaced persons per admin area in each round of the "
        "displacement tracking (DTM), with each round's total.",
        header=["Round", "Reporting date", "Admin area P-code", "Admin area", "IDPs", "Suppressed"],
        hxl=[
            "#meta+round",
            "#date+reported",
            "#adm2+code",
            "#adm2+name",
            "#affected+idps+ind",
            "#meta+suppressed",
        ],
    )
    # A sum of one area's rounds counts people several times: row totals are not published.
    for pcode, number, value in grid.suppressed(threshold, row_totals=False):
        dataset.withheld += value is None
        dataset.rows.append(
            (
                number,
                dates.get(number),
                pcode,
                names.get(pcode, "") if pcode != TOTAL else "",
                value,
                _flag(value),
            )
        )
    return dataset


def covid_dataset(*, scope: Scope, as_of: dt.date, threshold: int):
    series = epi_selectors.epi_series(scope=scope, end=as_of)
    month_end: dict[str, dict] = {}
    for day in series.days:
        month_end[_month(day.day)] = {"confirmed": day.confirmed, "deaths": day.deaths}
    months = sorted(month_end)
    dataset = Dataset(
        name="covid19-by-month",
        title="COVID-19 confirmed cases and deaths by month (national)",
        description="New confirmed cases and new deaths per calendar month: the difference of "
        "the cumulative values reported at the end of each month and of the month before "
        f"(source: {series.source_label or 'none'}).",
        header=["Month", "Metric", "Count", "Suppressed"],
        hxl=["#date+month", "#indicator+name", "#affected+num", "#meta+suppressed"],
    )
    for metric in ("confirmed", "deaths"):
        counts, previous = {}, 0
        for month in months:
            value = month_end[month][metric]
            if value is None:
                continue
            counts[(month, metric)] = value - previous
            previous = value
        grid = Grid(row_keys=months, column_keys=[metric], counts=counts)
        for month, column, value in grid.suppressed(threshold, row_totals=False):
            dataset.withheld += value is None
            dataset.rows.append((month, column if column != TOTAL else metric, value, _flag(value)))
    return dataset


def _table_dataset(key: str, name: str, query: Query, description: str) -> Dataset:
    table = get_table(key)
    assert table is not None
    with override("en"):
        return Dataset(
            name=name,
            title=str(table.title),
            description=description,
            header=[str(c.label) for c in table.columns],
            hxl=[c.hxl for c in table.columns],
            rows=list(table.read(query)),
        )


def release(
    *,
    as_of: dt.date,
    area: AdminArea | None = None,
    threshold: int | None = None,
    include_demo: bool = False,
) -> list[Dataset]:
    """The datasets of the public release as of a date (national, or one area's)."""
    threshold = threshold if threshold is not None else settings.HBMM_PUBLIC_MIN_CELL
    scope = EVERYTHING.narrow(area) if area is not None else EVERYTHING
    week_start = as_of - dt.timedelta(days=as_of.weekday())
    return [
        flows_dataset(scope=scope, as_of=as_of, threshold=threshold, include_demo=include_demo),
        displacement_dataset(
            scope=scope, as_of=as_of, threshold=threshold, include_demo=include_demo
        ),
        _table_dataset(
            "health.status",
            "poe-status",
            Query(scope=scope, area=area, filters={"as_of": as_of}),
            "Each point of entry's operational status in force on the date.",
        ),
        _table_dataset(
            "health.capacity",
            "poe-capacity",
            Query(scope=scope, area=area, filters={"start": week_start, "end": as_of}),
            "Each point of entry's latest capacity checklist of the week, one row per item "
            "(answers: yes, no, not assessed).",
        ),
        covid_dataset(scope=scope, as_of=as_of, threshold=threshold),
    ]


def datapackage(
    datasets: list[Dataset], *, as_of: dt.date, area: AdminArea | None, threshold: int
) -> dict:
    """The release's metadata: a Frictionless data package with HDX's fields."""
    country = settings.HBMM_COUNTRY_ISO3
    location = area.pcode if area is not None else country
    return {
        "name": f"hbmm-{location.lower()}-{as_of.isoformat()}",
        "title": f"Health, border and mobility: {area.name if area else country}, "
        f"as of {as_of.isoformat()}",
        "description": "Aggregated figures of HBMM (Health, Border and Mobility Management): "
        "flows at the points of entry, displacement, points of entry's status and capacity, "
        "COVID-19 by month.",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "licenses": [LICENSE],
        "sources": [{"title": "IOM Displacement Tracking Matrix and HBMM records"}],
        "hdx": {
            "dataset_date": f"[* TO {as_of.isoformat()}]",
            "groups": [country.lower()],
            "location": location,
            "methodology": "Registry: counts at flow monitoring points, displacement rounds, "
            "point-of-entry checklists, national COVID-19 reports, aggregated by HBMM.",
            "license_id": "cc-by-igo",
            "caveats": f"Counts from 1 to {threshold - 1} are suppressed, with complementary "
            "suppression so that totals cannot reveal them (empty value, Suppressed = yes). "
            "Counts are as known on the date of the release and may be revised. No personal "
            "data, no protection data, no free text.",
            "tags": ["covid-19", "mobility", "points of entry", "hxl"],
        },
        "resources": [
            {
                "name": d.name,
                "path": f"{d.name}.csv",
                "title": d.title,
                "description": d.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "hxl": True,
                "rows": len(d.rows),
                "suppressed": d.withheld,
                "schema": {
                    "fields": [
                        {"name": h, "hxl": tag} for h, tag in zip(d.header, d.hxl, strict=True)
                    ]
                },
            }
            for d in datasets
        ],
    }


SITREP_LANGUAGES = ("fr", "en")
SITREP_TITLES = {
    "fr": "Public situation report (French)",
    "en": "Public situation report (English)",
}


def sitrep_write(
    directory: Path, *, as_of: dt.date, area: AdminArea | None, threshold: int
) -> list[dict]:
    """The public situation report as PDF in each language, and its datapackage resources."""
    ctx = Context.of(sitrep.system_reader(), as_of=as_of, area=area)
    resources = []
    for lang in SITREP_LANGUAGES:
        name = sitrep.filename(ctx, "pdf", lang, public=True)
        (directory / name).write_bytes(
            sitrep.render(ctx, fmt="pdf", lang=lang, public=True, threshold=threshold)
        )
        resources.append(
            {
                "name": name.removesuffix(".pdf"),
                "path": name,
                "title": SITREP_TITLES[lang],
                "description": "The situation report built only from published figures: "
                f"counts of people from 1 to {threshold - 1} suppressed with their complements.",
                "format": "pdf",
                "mediatype": "application/pdf",
                "language": lang,
            }
        )
    return resources


def release_write(
    directory: Path,
    *,
    as_of: dt.date,
    area: AdminArea | None = None,
    threshold: int | None = None,
    include_demo: bool = False,
) -> dict:
    """Write the release into `directory`: one CSV per dataset, the public situation report
    (PDF, French and English) and datapackage.json."""
    threshold = threshold if threshold is not None else settings.HBMM_PUBLIC_MIN_CELL
    datasets = release(as_of=as_of, area=area, threshold=threshold, include_demo=include_demo)
    directory.mkdir(parents=True, exist_ok=True)
    for d in datasets:
        (directory / f"{d.name}.csv").write_text(d.csv_text(), encoding="utf-8")
    package = datapackage(datasets, as_of=as_of, area=area, threshold=threshold)
    package["resources"] += sitrep_write(directory, as_of=as_of, area=area, threshold=threshold)
    (directory / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return package
