"""Maps: the shipped Mali admin boundaries with sites as coloured points.

The page draws them with the vendored Leaflet (no tile server needed; tiles are added only when
HBMM_MAP_TILE_URL is set). The report draws the same boundaries and points as an SVG rendered
here, so the PDF and the self-contained HTML need nothing from the network.
"""

import math
from xml.sax.saxutils import escape

from django.utils.translation import gettext

# The kernel (boundaries, points, the page's payload) lives in hbmm.presentation.maps, so the
# domains' own pages draw maps too; reports adds the SVG of the printed report.
from hbmm.presentation.maps import (  # noqa: F401  (re-exported: reports.views, sections)
    ATTRIBUTION,
    BOUNDARY_FILES,
    MapPoint,
    boundaries,
    boundaries_text,
    leaflet_payload,
)
from hbmm.presentation.maps import rings as _rings


def _bounds(collection: dict) -> tuple[float, float, float, float]:
    lons, lats = [], []
    for feature in collection["features"]:
        for ring in _rings(feature["geometry"]):
            for lon, lat in ring:
                lons.append(lon)
                lats.append(lat)
    return min(lons), min(lats), max(lons), max(lats)


def render_svg(
    points: list[MapPoint],
    *,
    width: int = 520,
    level: int = 1,
    title: str = "",
) -> str:
    """An SVG map: admin boundaries, points coloured by status, a legend and the attribution.

    Equirectangular projection scaled by cos(mean latitude), which keeps Mali's shape right at
    this scale. Points without coordinates are counted under the legend, not guessed.
    """
    collection = boundaries(level)
    lon0, lat0, lon1, lat1 = _bounds(collection)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    margin = 8
    scale = (width - 2 * margin) / ((lon1 - lon0) * kx)
    map_height = (lat1 - lat0) * scale
    statuses: dict[str, tuple[str, str, int]] = {}
    for p in points:
        label, color, n = statuses.get(p.status, (p.status_label, p.color, 0))
        statuses[p.status] = (label, color, n + 1)
    # The legend sits in the empty north-west corner of the box (Mauritania, Algeria), so the
    # map is no taller than the country; the attribution goes under it.
    height = int(map_height + 2 * margin + 14)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return margin + (lon - lon0) * kx * scale, margin + (lat1 - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        '<g fill="#eef2f6" stroke="#8a97a8" stroke-width="0.6">',
    ]
    for feature in collection["features"]:
        d = []
        for ring in _rings(feature["geometry"]):
            coords = [xy(lon, lat) for lon, lat in ring]
            d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
        name = feature["properties"].get("name", "")
        parts.append(f'<path d="{"".join(d)}"><title>{escape(name)}</title></path>')
    parts.append("</g>")
    for feature in collection["features"]:  # region names, at the centre of their bounding box
        one = {"features": [feature]}
        flon0, flat0, flon1, flat1 = _bounds(one)
        x, y = xy((flon0 + flon1) / 2, (flat0 + flat1) / 2)
        name = feature["properties"].get("name", "")
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="10.5" fill="#4f5d6e" text-anchor="middle" '
            f'font-family="DejaVu Sans, sans-serif">{escape(name)}</text>'
        )
    unplaced = 0
    for p in points:
        if p.latitude is None or p.longitude is None:
            unplaced += 1
            continue
        x, y = xy(float(p.longitude), float(p.latitude))
        title = gettext("%(name)s: %(status)s") % {"name": p.name, "status": p.status_label}
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{escape(p.color)}" stroke="#fff" '
            f'stroke-width="1"><title>{escape(title)}</title></circle>'
        )
    y = margin + 12
    font = 'font-family="DejaVu Sans, sans-serif" font-size="11" fill="#1d2733"'
    for label, color, n in statuses.values():
        parts.append(f'<circle cx="{margin + 5}" cy="{y - 4:.1f}" r="5" fill="{escape(color)}"/>')
        parts.append(f'<text x="{margin + 15}" y="{y:.1f}" {font}>{escape(label)} ({n})</text>')
        y += 17
    if unplaced:
        note = gettext("%(n)s without coordinates, not shown") % {"n": unplaced}
        parts.append(f'<text x="{margin}" y="{y:.1f}" {font}>{escape(note)}</text>')
    # Outside the f-string: xgettext does not read inside one (this label went untranslated).
    attribution = gettext("Boundaries: %(sources)s") % {"sources": ATTRIBUTION}
    parts.append(
        f'<text x="{margin}" y="{height - 4}" font-family="DejaVu Sans, sans-serif" font-size="8" '
        f'fill="#5b6776">{escape(attribution)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
