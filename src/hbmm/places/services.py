"""Writes in the places app: P-code reference data and the site registry."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from hbmm.places.models import MALI_BBOX, AdminArea, Site, SiteKind

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


class RegistryImportError(ValueError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def admin_areas_load(*, pcode_rows: Iterable[dict], country_rows: Iterable[dict]) -> ImportResult:
    """Create or update countries and admin areas from OCHA P-code rows; idempotent.

    A P-code keeps its database row (and so every reference to it) when its name or parent
    changes; paths of the whole tree are recomputed afterwards.
    """
    result = ImportResult()
    by_pcode = {a.pcode: a for a in AdminArea.objects.all()}

    def upsert(pcode, level, name_fr, name_en, parent, iso3, valid_from):
        area = by_pcode.get(pcode)
        if area is None:
            area = AdminArea(pcode=pcode)
            result.created += 1
        elif (area.name_fr, area.name_en, area.parent_id, area.level) != (
            name_fr,
            name_en,
            parent.pk if parent else None,
            level,
        ):
            result.updated += 1
        area.level, area.name_fr, area.name_en = level, name_fr, name_en
        area.parent, area.country_iso3, area.valid_from = parent, iso3, valid_from
        area.save()
        by_pcode[pcode] = area

    for row in country_rows:
        upsert(row["iso3"], 0, row["name_fr"], row["name_en"], None, row["iso3"], None)
    rows = sorted(pcode_rows, key=lambda r: int(r["Admin Level"]))
    for row in rows:
        parent = by_pcode.get(row["Parent P-Code"])
        if parent is None:
            raise RegistryImportError(
                [RowError(0, "Parent P-Code", f"unknown parent {row['Parent P-Code']}")]
            )
        valid = row.get("Valid from date") or None
        upsert(
            row["P-Code"],
            int(row["Admin Level"]),
            row["Name"],
            row["Name"],
            parent,
            row["Location"],
            date.fromisoformat(valid) if valid else None,
        )
    _recompute_paths()
    return result


def _recompute_paths() -> None:
    for area in AdminArea.objects.order_by("level", "pcode").select_related("parent"):
        path = area.compute_path()
        if path != area.path:
            AdminArea.objects.filter(pk=area.pk).update(path=path)


@transaction.atomic
def site_kinds_load(*, rows: Iterable[dict]) -> None:
    for row in rows:
        SiteKind.objects.update_or_create(
            code=row["code"], defaults={"name_fr": row["name_fr"], "name_en": row["name_en"]}
        )


def _parse_decimal(value, *, row: int, name: str, errors: list[RowError]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        errors.append(RowError(row, name, f"'{value}' is not a number"))
        return None


def _parse_date(value, *, row: int, name: str, errors: list[RowError]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value if not hasattr(value, "date") else value.date()
    text = str(value).strip()
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        errors.append(
            RowError(row, name, f"'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        )
        return None


def _check_coordinates(lat, lon, *, row: int, errors: list[RowError]) -> None:
    if (lat is None) != (lon is None):
        errors.append(
            RowError(row, "latitude" if lat is None else "longitude", "give both or neither")
        )
        return
    if lat is None:
        return
    inside = MALI_BBOX["lat_min"] <= lat <= MALI_BBOX["lat_max"] and (
        MALI_BBOX["lon_min"] <= lon <= MALI_BBOX["lon_max"]
    )
    if inside:
        return
    swapped = MALI_BBOX["lat_min"] <= lon <= MALI_BBOX["lat_max"] and (
        MALI_BBOX["lon_min"] <= lat <= MALI_BBOX["lon_max"]
    )
    if swapped:
        errors.append(
            RowError(
                row, "latitude", f"{lat}, {lon} looks swapped: latitude and longitude inverted?"
            )
        )
    else:
        errors.append(RowError(row, "latitude", f"{lat}, {lon} is outside Mali"))


@transaction.atomic
def site_registry_import(*, rows: Iterable[tuple[int, dict]]) -> ImportResult:
    """Create or update sites from registry rows (row number, values); all or nothing.

    Columns: code, name_fr, name_en, kinds (codes separated by ';'), pcode, latitude,
    longitude, neighbour_country (ISO3), active_from, active_to. Any error in any row
    raises RegistryImportError listing every error, and nothing is written.
    """
    result = ImportResult()
    errors: list[RowError] = []
    areas = {a.pcode: a for a in AdminArea.objects.all()}
    kinds = {k.code: k for k in SiteKind.objects.all()}
    seen: dict[str, int] = {}
    parsed = []
    for number, row in rows:
        code = str(row.get("code") or "").strip()
        if not code:
            errors.append(RowError(number, "code", "required"))
        elif code in seen:
            errors.append(RowError(number, "code", f"duplicate of row {seen[code]}"))
        else:
            seen[code] = number
        name_fr = str(row.get("name_fr") or "").strip()
        name_en = str(row.get("name_en") or "").strip() or name_fr
        if not name_fr:
            errors.append(RowError(number, "name_fr", "required"))
        pcode = str(row.get("pcode") or "").strip()
        area = areas.get(pcode)
        if area is None:
            errors.append(RowError(number, "pcode", f"unknown P-code '{pcode}'"))
        kind_codes = [k.strip() for k in str(row.get("kinds") or "").replace(",", ";").split(";")]
        kind_codes = [k for k in kind_codes if k]
        if not kind_codes:
            errors.append(RowError(number, "kinds", "at least one kind is required"))
        for k in kind_codes:
            if k not in kinds:
                errors.append(
                    RowError(
                        number, "kinds", f"unknown kind '{k}' (known: {', '.join(sorted(kinds))})"
                    )
                )
        lat = _parse_decimal(row.get("latitude"), row=number, name="latitude", errors=errors)
        lon = _parse_decimal(row.get("longitude"), row=number, name="longitude", errors=errors)
        _check_coordinates(lat, lon, row=number, errors=errors)
        neighbour_code = str(row.get("neighbour_country") or "").strip().upper()
        neighbour = None
        if neighbour_code:
            neighbour = areas.get(neighbour_code)
            if neighbour is None or neighbour.level != AdminArea.Level.COUNTRY:
                errors.append(
                    RowError(number, "neighbour_country", f"unknown country '{neighbour_code}'")
                )
        active_from = _parse_date(
            row.get("active_from"), row=number, name="active_from", errors=errors
        )
        active_to = _parse_date(row.get("active_to"), row=number, name="active_to", errors=errors)
        if active_from and active_to and active_to < active_from:
            errors.append(RowError(number, "active_to", "is before active_from"))
        parsed.append(
            (code, name_fr, name_en, area, kind_codes, lat, lon, neighbour, active_from, active_to)
        )
    if errors:
        raise RegistryImportError(errors)
    existing = {s.code: s for s in Site.objects.all()}
    for code, name_fr, name_en, area, kind_codes, lat, lon, neighbour, a_from, a_to in parsed:
        site = existing.get(code) or Site(code=code)
        if site.pk:
            result.updated += 1
        else:
            result.created += 1
        site.name_fr, site.name_en, site.area = name_fr, name_en, area
        site.latitude, site.longitude, site.neighbour_country = lat, lon, neighbour
        site.active_from, site.active_to = a_from, a_to
        site.save()
        site.kinds.set([kinds[k] for k in kind_codes])
    return result


def reference_load() -> dict[str, ImportResult]:
    """Load the reference data shipped in the package: countries, P-codes, site kinds, sites."""
    areas = admin_areas_load(
        pcode_rows=_read_csv("pcodes-mali-and-neighbours.csv"),
        country_rows=_read_csv("countries.csv"),
    )
    site_kinds_load(rows=_read_csv("site_kinds.csv"))
    sites = site_registry_import(rows=enumerate(_read_csv("sites.csv"), start=2))
    return {"admin areas": areas, "sites": sites}
