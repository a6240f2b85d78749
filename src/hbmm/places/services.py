"""Writes in the places app: P-code reference data and the site registry."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import restrict_to_scope
from hbmm.accounts.services import audit_log
from hbmm.places.models import MALI_BBOX, AdminArea, Site, SiteKind

if TYPE_CHECKING:
    from hbmm.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_COLUMNS = ("code", "name_fr", "kinds", "pcode")
COORDINATE_STEP = Decimal("0.000001")  # Site.latitude / longitude keep 6 decimals


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.field else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class RegistryImportError(ValueError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def admin_areas_load(
    *, pcode_rows: Iterable[dict], country_rows: Iterable[dict], french_names: dict | None = None
) -> ImportResult:
    """Create or update countries and admin areas from OCHA P-code rows; idempotent.
    `french_names` (P-code -> name; by default places/data/names-fr.csv) gives the French
    spelling where it differs from OCHA's unaccented name ("Ségou" for Segou): French pages
    name places as their readers write them.

    A P-code keeps its database row (and so every reference to it) when its name or parent
    changes; paths of the whole tree are recomputed afterwards.
    """
    result = ImportResult()
    if french_names is None:
        french_names = {r["pcode"]: r["name_fr"] for r in _read_csv("names-fr.csv")}
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
        else:
            result.unchanged += 1
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
            french_names.get(row["P-Code"], row["Name"]),
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
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.append(RowError(row, name, _("'%(value)s' is not a number") % {"value": value}))
        return None
    return number.quantize(COORDINATE_STEP)


def _parse_date(value, *, row: int, name: str, errors: list[RowError]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        errors.append(
            RowError(
                row,
                name,
                _("'%(value)s' is not a date (use YYYY-MM-DD or DD/MM/YYYY)") % {"value": value},
            )
        )
        return None


def _in_bbox(lat: Decimal, lon: Decimal) -> bool:
    return (
        MALI_BBOX["lat_min"] <= lat <= MALI_BBOX["lat_max"]
        and MALI_BBOX["lon_min"] <= lon <= MALI_BBOX["lon_max"]
    )


def _check_coordinates(lat, lon, *, row: int, errors: list[RowError]) -> None:
    if (lat is None) != (lon is None):
        errors.append(
            RowError(
                row,
                "latitude" if lat is None else "longitude",
                _("give both latitude and longitude, or neither"),
            )
        )
        return
    if lat is None or _in_bbox(lat, lon):
        return
    values = {"lat": format(lat.normalize(), "f"), "lon": format(lon.normalize(), "f")}
    if _in_bbox(lon, lat):
        message = _(
            "%(lat)s, %(lon)s looks swapped: latitude and longitude inverted? "
            "In Mali the latitude is between 10 and 25, the longitude between -12.3 and 4.3."
        )
    else:
        message = _(
            "%(lat)s, %(lon)s is outside Mali (latitude 10 to 25.1, longitude -12.3 to 4.3)"
        )
    errors.append(RowError(row, "latitude", message % values))


def _text(row: dict, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _check_length(value: str, *, limit: int, row: int, name: str, errors: list[RowError]) -> None:
    if len(value) > limit:
        errors.append(RowError(row, name, _("longer than %(limit)d characters") % {"limit": limit}))


def _site_state(site: Site) -> tuple:
    """What an import may change on a site, to tell an update from an unchanged row."""
    return (
        site.name_fr,
        site.name_en,
        site.area_id,
        site.latitude,
        site.longitude,
        site.neighbour_country_id,
        site.active_from,
        site.active_to,
    )


@transaction.atomic
def site_registry_import(
    *,
    rows: Iterable[tuple[int, dict]],
    by: "User | None" = None,
    source: str = "",
) -> ImportResult:
    """Create or update sites from registry rows (row number, values); all or nothing.

    Columns (case-insensitive, others ignored): code, name_fr, name_en, kinds (codes separated
    by ';'), pcode, latitude, longitude, neighbour_country (ISO3), active_from, active_to.
    Any error in any row raises RegistryImportError listing every error (row and column), and
    nothing is written.

    `by` is the user importing (None for the reference data and the command line): the P-code
    of every row and the current area of every site it changes must be in that user's scope,
    and changing an existing site needs `places.change_site`. `source` (a file name) goes to
    the audit log, which records every import that creates or changes a site.
    """
    result = ImportResult()
    errors: list[RowError] = []
    areas = {a.pcode: a for a in AdminArea.objects.all()}
    kinds = {k.code: k for k in SiteKind.objects.all()}
    existing = {s.code: s for s in Site.objects.prefetch_related("kinds")}
    allowed_areas = None
    may_update = True
    if by is not None:
        allowed_areas = set(
            restrict_to_scope(AdminArea.objects.all(), by).values_list("pk", flat=True)
        )
        may_update = by.has_perm("places.change_site")
    home_country = settings.HBMM_COUNTRY_ISO3
    seen: dict[str, int] = {}
    parsed = []
    for number, raw in rows:
        row = {str(k or "").strip().lower(): v for k, v in raw.items()}
        if not parsed:
            missing = [c for c in REQUIRED_COLUMNS if c not in row]
            if missing:
                raise RegistryImportError(
                    [RowError(1, c, _("column missing from the header row")) for c in missing]
                )
        code = _text(row, "code")
        if not code:
            errors.append(RowError(number, "code", _("required")))
        elif code.upper() in seen:
            errors.append(
                RowError(
                    number, "code", _("duplicate of row %(row)d") % {"row": seen[code.upper()]}
                )
            )
        else:
            seen[code.upper()] = number
        _check_length(code, limit=40, row=number, name="code", errors=errors)
        site = existing.get(code)
        if site is not None:
            if not may_update:
                errors.append(
                    RowError(
                        number,
                        "code",
                        _("site '%(code)s' exists already and you may not change sites")
                        % {"code": code},
                    )
                )
            elif allowed_areas is not None and site.area_id not in allowed_areas:
                errors.append(
                    RowError(
                        number,
                        "code",
                        _("site '%(code)s' exists outside your geographic scope") % {"code": code},
                    )
                )
        name_fr = _text(row, "name_fr")
        name_en = _text(row, "name_en") or name_fr
        if not name_fr:
            errors.append(RowError(number, "name_fr", _("required")))
        _check_length(name_fr, limit=200, row=number, name="name_fr", errors=errors)
        _check_length(name_en, limit=200, row=number, name="name_en", errors=errors)
        pcode = _text(row, "pcode").upper()
        area = areas.get(pcode)
        if area is None:
            errors.append(
                RowError(number, "pcode", _("unknown P-code '%(pcode)s'") % {"pcode": pcode})
            )
        elif area.country_iso3 != home_country:
            errors.append(
                RowError(
                    number,
                    "pcode",
                    _("P-code '%(pcode)s' is not in %(country)s")
                    % {"pcode": pcode, "country": home_country},
                )
            )
        elif allowed_areas is not None and area.pk not in allowed_areas:
            errors.append(
                RowError(
                    number,
                    "pcode",
                    _("P-code '%(pcode)s' is outside your geographic scope") % {"pcode": pcode},
                )
            )
        kind_codes = [k.strip() for k in _text(row, "kinds").replace(",", ";").split(";")]
        kind_codes = list(dict.fromkeys(k for k in kind_codes if k))
        if not kind_codes:
            errors.append(RowError(number, "kinds", _("at least one kind is required")))
        for k in kind_codes:
            if k not in kinds:
                errors.append(
                    RowError(
                        number,
                        "kinds",
                        _("unknown kind '%(kind)s' (known: %(known)s)")
                        % {"kind": k, "known": ", ".join(sorted(kinds))},
                    )
                )
        lat = _parse_decimal(row.get("latitude"), row=number, name="latitude", errors=errors)
        lon = _parse_decimal(row.get("longitude"), row=number, name="longitude", errors=errors)
        _check_coordinates(lat, lon, row=number, errors=errors)
        neighbour_code = _text(row, "neighbour_country").upper()
        neighbour = None
        if neighbour_code:
            neighbour = areas.get(neighbour_code)
            if neighbour is None or neighbour.level != AdminArea.Level.COUNTRY:
                errors.append(
                    RowError(
                        number,
                        "neighbour_country",
                        _("unknown country '%(code)s'") % {"code": neighbour_code},
                    )
                )
        active_from = _parse_date(
            row.get("active_from"), row=number, name="active_from", errors=errors
        )
        active_to = _parse_date(row.get("active_to"), row=number, name="active_to", errors=errors)
        if active_from and active_to and active_to < active_from:
            errors.append(RowError(number, "active_to", _("is before active_from")))
        parsed.append(
            (code, name_fr, name_en, area, kind_codes, lat, lon, neighbour, active_from, active_to)
        )
    if not parsed:
        errors.append(RowError(2, "", _("the file has no data rows")))
    if errors:
        raise RegistryImportError(errors)
    created, updated = [], []
    for code, name_fr, name_en, area, kind_codes, lat, lon, neighbour, a_from, a_to in parsed:
        site = existing.get(code) or Site(code=code)
        before = (_site_state(site), {k.code for k in site.kinds.all()}) if site.pk else None
        site.name_fr, site.name_en, site.area = name_fr, name_en, area
        site.latitude, site.longitude, site.neighbour_country = lat, lon, neighbour
        site.active_from, site.active_to = a_from, a_to
        if before is None:
            site.save()
            site.kinds.set([kinds[k] for k in kind_codes])
            created.append(code)
        elif before != (_site_state(site), set(kind_codes)):
            site.save()
            site.kinds.set([kinds[k] for k in kind_codes])
            updated.append(code)
        else:
            result.unchanged += 1
    result.created, result.updated = len(created), len(updated)
    if created or updated:
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=by,
            actor_username="" if by is not None else "system",
            target="places.site_registry",
            details={"source": source, "created": created, "updated": updated},
        )
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
