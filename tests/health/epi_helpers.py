"""Files in the three formats, built from the real series shipped in the package."""

import csv
import datetime as dt
import io

from hbmm.health.reference import SERIES_FILE

NEIGHBOUR_JHU_NAMES = {"BFA": "Burkina Faso", "NER": "Niger", "CIV": "Cote d'Ivoire"}


def real_rows(until: dt.date | None = None) -> list[dict]:
    with open(SERIES_FILE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if until:
        rows = [r for r in rows if dt.date.fromisoformat(r["Date"]) <= until]
    return rows


def long_file(rows: list[dict], extra: list[dict] = ()) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["Date", "Country", "Confirmed", "Recovered", "Deaths"])
    writer.writeheader()
    writer.writerows([*rows, *extra])
    return io.BytesIO(out.getvalue().encode())


def jhu_header(day: dt.date) -> str:
    return f"{day.month}/{day.day}/{day.strftime('%y')}"


def wide_file(rows: list[dict], metric: str, *, others: dict[str, int] = None) -> io.BytesIO:
    """A CSSE-style time_series_covid19_<metric>_global.csv: Mali's real values, plus the
    given other countries with a constant value, plus a sub-national row (as CSSE has)."""
    days = [dt.date.fromisoformat(r["Date"]) for r in rows]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Province/State", "Country/Region", "Lat", "Long", *map(jhu_header, days)])
    writer.writerow(["Ontario", "Canada", "51.2538", "-85.3232", *["5"] * len(days)])
    writer.writerow(["", "Mali", "17.570692", "-3.996166", *(r[metric.title()] for r in rows)])
    for name, value in (others or {}).items():
        writer.writerow(["", name, "0", "0", *[str(value)] * len(days)])
    return io.BytesIO(out.getvalue().encode())
