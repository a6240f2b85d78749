"""HBMM's one list of countries: the ISO 3166-1 alpha-3 codes with their French and English
names (`data/iso3166-countries.csv`, made by `tools/iso3166_csv.py` from the ISO list), read
once. Nationalities, previous and next countries, countries visited, series files: every
country a form or a file gives is checked against it.

`country_code("Guinée")`, `country_code("gin")` and `country_code("Guinea")` all give "GIN";
`country_code("XYZ")` gives None (three letters are not enough: the code must exist).
"""

import csv
from functools import cache
from pathlib import Path

from hbmm.text import normalise_name

DATA = Path(__file__).resolve().parent / "data" / "iso3166-countries.csv"


@cache
def countries() -> dict[str, tuple[str, str]]:
    """ISO3 -> (French name, English name), for every country of ISO 3166-1."""
    with DATA.open(encoding="utf-8", newline="") as f:
        return {row["iso3"]: (row["name_fr"], row["name_en"]) for row in csv.DictReader(f)}


@cache
def _by_name() -> dict[str, str]:
    by_name: dict[str, str] = {}
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # codes and the names shown first, then the other names
        for name in (row["iso3"], row["name_fr"], row["name_en"]):
            by_name.setdefault(normalise_name(name), row["iso3"])
    for row in rows:
        for name in filter(None, row["other_names"].split("|")):
            by_name.setdefault(normalise_name(name), row["iso3"])
    return by_name


def country_code(value) -> str | None:
    """The ISO3 code for an ISO3 code or a French/English country name; None if unknown."""
    return _by_name().get(normalise_name(value or ""))


def is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-3 code, as stored (upper case)."""
    return code in countries()


def country_name(code: str, *, french: bool = True) -> str:
    """The country's French (or English) name; the code itself when it is not a country."""
    names = countries().get(code)
    if names is None:
        return code
    return names[0] if french else names[1]
