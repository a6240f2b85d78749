"""The map kernel shared by the overview (`hbmm.reports`) and the domains' own pages: a point
on the map (`MapPoint`), the admin boundaries shipped in hbmm.places and the centres of admin
areas for figures counted by area rather than by site. The drawing: `hbmm.presentation.map_svg`.
"""

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from django.utils.translation import get_language

from hbmm.presentation.text import Text

BOUNDARY_FILES = {1: "mali-adm1.geojson", 2: "mali-adm2.geojson"}
ATTRIBUTION = "geoBoundaries (www.geoboundaries.org) · OCHA Mali / DNCT, DNP — CC BY 4.0"


@dataclass(frozen=True)
class MapPoint:
    """A site (or an area's centre) on the map, coloured by a status the page gives it."""

    code: str
    name: str
    latitude: float | None
    longitude: float | None
    status: str
    status_label: Text
    color: str
    url: str = ""
    label: str = ""  # the name written beside the point on the map (default: `name`)


@dataclass(frozen=True)
class TableMap:
    """The map a table's page shows above its rows (`hbmm.presentation.tables.Table.map`)."""

    title: Text
    points: list[MapPoint]
    summary: Text = ""  # a sentence under the title: what the colours count


@lru_cache(maxsize=4)
def boundaries_text(level: int = 1) -> str:
    """The GeoJSON text of the admin boundaries shipped in hbmm.places (level 1 or 2)."""
    name = BOUNDARY_FILES[level]
    return (resources.files("hbmm.places") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def boundaries(level: int = 1) -> dict:
    return json.loads(boundaries_text(level))


@lru_cache(maxsize=1)
def _french_names() -> dict[str, str]:
    text = (resources.files("hbmm.places") / "data" / "names-fr.csv").read_text(encoding="utf-8")
    return {row["pcode"]: row["name_fr"] for row in csv.DictReader(io.StringIO(text))}


def area_name(properties: dict) -> str:
    """A boundary's name in the page's language: the boundary files carry OCHA's unaccented
    names ("Segou"); French pages write "Ségou", as the admin areas do (places/data/
    names-fr.csv)."""
    name = properties.get("name", "")
    if (get_language() or "fr").startswith("fr"):
        return _french_names().get(properties.get("pcode", ""), name)
    return name


def rings(geometry: dict):
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def _ring_centroid(ring: list) -> tuple[float, float, float]:
    """(signed area, lon, lat) of a closed ring (the shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if not area:
        return 0.0, ring[0][0], ring[0][1]
    return area, cx / (6 * area), cy / (6 * area)


@lru_cache(maxsize=1)
def area_centres() -> dict[str, tuple[float, float]]:
    """P-code -> (latitude, longitude) of the centre of each shipped boundary (regions and
    cercles): the centroid of its largest ring."""
    centres: dict[str, tuple[float, float]] = {}
    for level in BOUNDARY_FILES:
        for feature in boundaries(level)["features"]:
            pcode = feature["properties"].get("pcode")
            found = [_ring_centroid(r) for r in rings(feature["geometry"])]
            if pcode and found:
                _area, lon, lat = max(found, key=lambda c: abs(c[0]))
                centres[pcode] = (round(lat, 4), round(lon, 4))
    return centres
