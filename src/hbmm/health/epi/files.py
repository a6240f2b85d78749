"""Readers for the published COVID-19 series files, used by the epidemiological imports as
their `transform_rows` step (between the tabular reader and the intake pipeline).

- The long "countries-aggregated" file (`Date,Country,Confirmed,Recovered,Deaths`): rows pass
  through unchanged; only the requested countries are kept.
- The Johns Hopkins CSSE wide time series (`Province/State,Country/Region,Lat,Long` then one
  column per date written m/d/yy), one file per metric: each country row becomes one row per
  date `{"Province/State", "Country/Region", "date" (ISO), <metric>}`.

Both check, before yielding any row, that the file has the columns they need (and, for wide
files, that every date column parses), and that every requested country is in the file, so a
file that cannot be right stores nothing but itself.
"""

import datetime as dt
from collections.abc import Iterator

from django.conf import settings

from hbmm.places.lookups import Lookups
from hbmm.tabular import TableError
from hbmm.text import normalise_name

WIDE_FIXED_COLUMNS = ("Province/State", "Country/Region", "Lat", "Long")
LONG_COUNTRY_COLUMNS = ("Country", "Country/Region", "Pays")


def requested_countries(options: dict) -> tuple[list[str], bool]:
    """(countries that must be in the file, whether to take the neighbours it has too)."""
    countries = [str(c).upper() for c in options.get("countries") or []]
    if not countries:
        countries = [settings.HBMM_COUNTRY_ISO3]
    return countries, bool(options.get("neighbours"))


def _country_column(header: list[str], candidates) -> str:
    wanted = {normalise_name(c) for c in candidates}
    for column in header:
        if normalise_name(column) in wanted:
            return column
    raise TableError("row 1: no country column (expected one of: {})".format(", ".join(candidates)))


def _select(rows, country_column, options) -> Iterator[tuple[int, dict]]:
    """The rows of the requested countries (and of the neighbours if asked), after checking
    that every requested country is in the file. Buffers only the kept rows."""
    lookups = Lookups()
    required, neighbours = requested_countries(options)
    kept: list[tuple[int, dict]] = []
    found: set[str] = set()
    for number, values in rows:
        area = lookups.country_area(values.get(country_column, ""))
        iso3 = area.pcode if area is not None else None  # a country HBMM has areas for
        if iso3 is None or (iso3 not in required and not neighbours):
            continue
        found.add(iso3)
        kept.append((number, values))
    missing = [c for c in required if c not in found]
    if missing:
        raise TableError(
            "country not in the file (column {}): {}".format(country_column, ", ".join(missing))
        )
    return iter(kept)


def _first(rows) -> tuple[list[str], Iterator]:
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        raise TableError("the file has no data rows")

    def chain():
        yield first
        yield from rows

    return list(first[1].keys()), chain()


def long_rows(rows, *, options: dict) -> Iterator[tuple[int, dict]]:
    header, rows = _first(rows)
    column = _country_column(header, LONG_COUNTRY_COLUMNS)
    if not any(normalise_name(h) in {"date"} for h in header):
        raise TableError("row 1: no Date column")
    yield from _select(rows, column, options)


def parse_jhu_date(text: str) -> dt.date:
    """A CSSE date column header: m/d/yy (also m/d/yyyy)."""
    month, day, year = str(text).strip().split("/")
    year_number = int(year)
    return dt.date(year_number + 2000 if year_number < 100 else year_number, int(month), int(day))


def wide_rows(rows, *, options: dict, metric: str) -> Iterator[tuple[int, dict]]:
    header, rows = _first(rows)
    missing = [c for c in WIDE_FIXED_COLUMNS if c not in header]
    if missing:
        raise TableError("row 1: missing column(s) {}".format(", ".join(missing)))
    dates: list[tuple[str, dt.date]] = []
    for position, column in enumerate(header, start=1):
        if column in WIDE_FIXED_COLUMNS:
            continue
        try:
            dates.append((column, parse_jhu_date(column)))
        except (ValueError, TypeError):
            raise TableError(
                f"row 1, column {position} ('{column}'): not a date written m/d/yy"
            ) from None
    for number, values in _select(rows, "Country/Region", options):
        for column, day in dates:
            yield (
                number,
                {
                    "Province/State": values.get("Province/State", ""),
                    "Country/Region": values.get("Country/Region", ""),
                    "date": day.isoformat(),
                    metric: values.get(column, ""),
                },
            )
