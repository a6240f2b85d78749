"""The one way HBMM draws a map: the shipped admin boundaries, sites as coloured points, region
names, the points' names where there is room, and a legend with counts, as an SVG made on the
server. The pages (overview, response dashboard, reporting completeness) and the situation
report (PDF and self-contained HTML) all show this drawing, so a map reads the same everywhere
and needs nothing from the network.

Layout (`map_layout`) is computed apart from the SVG text so that tests can check it: the legend
sits under the map, outside the plot area, so it never covers a point; a point's name is drawn
only where its box overlaps no other point, no other name and no region name (a simple
collision check over four positions around the point; the last point drawn, on top, first); region names sit at the centroid of
their largest ring, moved up or down when a point is there. Text boxes are estimated from the
font size (DejaVu Sans averages about 0.6 em a character); the browser test measures the drawn
boxes.
"""

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from hbmm.presentation.maps import (
    ATTRIBUTION,
    MapPoint,
    area_centres,
    area_name,
    boundaries,
    rings,
)
from hbmm.presentation.text import Text

FONT = "DejaVu Sans, Verdana, sans-serif"
CHAR_WIDTH = 0.62  # of the font size: a little wider than DejaVu Sans' average, to be safe
POINT_RADIUS = 4.5


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, other: "Box") -> bool:
        return (
            self.x0 >= other.x0
            and self.y0 >= other.y0
            and self.x1 <= other.x1
            and self.y1 <= other.y1
        )


def text_box(text: str, x: float, y: float, size: float, anchor: str = "start") -> Box:
    """The box of `text` drawn at baseline (x, y) with `anchor` (start, middle, end)."""
    width = len(text) * size * CHAR_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, y - 0.8 * size, left + width, y + 0.25 * size)


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    anchor: str
    box: Box
    size: float


@dataclass(frozen=True)
class LegendEntry:
    label: str
    color: str
    count: int
    x: float  # the centre of its dot; the text starts 10 px right of it
    y: float  # the text's baseline
    box: Box


@dataclass
class MapLayout:
    width: int
    height: int
    font_size: float
    plot: Box  # the map itself; the legend and the attribution are under it
    points: list[tuple[MapPoint, float, float]] = field(default_factory=list)
    regions: list[Label] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    notes: list[Label] = field(default_factory=list)  # unplaced count, attribution lines

    # the projection: equirectangular, scaled by cos(mean latitude), which keeps Mali's shape
    # right at this scale
    origin: tuple[float, float] = (0.0, 0.0)  # (west longitude, north latitude)
    kx: float = 1.0
    scale: float = 1.0
    margin: float = 6

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.margin + (lon - self.origin[0]) * self.kx * self.scale,
            self.margin + (self.origin[1] - lat) * self.scale,
        )

    @property
    def point_boxes(self) -> list[Box]:
        r = POINT_RADIUS
        return [Box(x - r, y - r, x + r, y + r) for _p, x, y in self.points]


def _bounds(features: list[dict]) -> tuple[float, float, float, float]:
    lons, lats = [], []
    for feature in features:
        for ring in rings(feature["geometry"]):
            for lon, lat in ring:
                lons.append(lon)
                lats.append(lat)
    return min(lons), min(lats), max(lons), max(lats)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """`text` in lines that fit `width` (words kept whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width / (size * CHAR_WIDTH):
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def map_layout(
    points: list[MapPoint], *, width: int = 520, level: int = 1, font_size: float = 11
) -> MapLayout:
    """Where everything of the map goes (see the module's docstring)."""
    features = boundaries(level)["features"]
    regions = boundaries(1)["features"]
    lon0, lat0, lon1, lat1 = _bounds(features)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    margin = 6
    scale = (width - 2 * margin) / ((lon1 - lon0) * kx)
    plot = Box(0, 0, width, margin * 2 + (lat1 - lat0) * scale)
    layout = MapLayout(
        width=width,
        height=0,
        font_size=font_size,
        plot=plot,
        origin=(lon0, lat1),
        kx=kx,
        scale=scale,
        margin=margin,
    )
    xy = layout.xy
    layout.points = [
        (p, *xy(float(p.longitude), float(p.latitude)))
        for p in points
        if p.latitude is not None and p.longitude is not None
    ]
    occupied = [Box(b.x0 - 1, b.y0 - 1, b.x1 + 1, b.y1 + 1) for b in layout.point_boxes]

    # Region names (never the cercles': too many to read), moved off the points.
    region_size = font_size * 0.95
    centres = area_centres()
    for feature in regions:
        name = area_name(feature["properties"])
        centre = centres.get(feature["properties"].get("pcode", ""))
        if centre is None:
            continue
        x, y = xy(centre[1], centre[0])
        for dy in (0, -1.2, 1.2, -2.4, 2.4):
            box = text_box(name, x, y + dy * region_size, region_size, "middle")
            if not box.inside(plot) or any(box.overlaps(r.box) for r in layout.regions):
                continue
            if not any(box.overlaps(o) for o in occupied):
                layout.regions.append(
                    Label(name, x, y + dy * region_size, "middle", box, region_size)
                )
                break

    # The points' names where there is room: the last point drawn (on top) first.
    label_size = font_size * 0.85
    taken = occupied + [r.box for r in layout.regions]
    for index in reversed(range(len(layout.points))):
        point, x, y = layout.points[index]
        own = occupied[index]  # its own point is beside it, not in its way
        others = [o for o in taken if o is not own]
        text = point.label or point.name
        gap = POINT_RADIUS + 2
        for dx, dy, anchor in (
            (gap, label_size * 0.35, "start"),
            (-gap, label_size * 0.35, "end"),
            (0, -gap - 1, "middle"),
            (0, gap + label_size * 0.8, "middle"),
        ):
            box = text_box(text, x + dx, y + dy, label_size, anchor)
            # 2 px apart from any other text or point, so that two names never read as one
            room = Box(box.x0 - 2, box.y0 - 1, box.x1 + 2, box.y1 + 1)
            if box.inside(plot) and not any(room.overlaps(o) for o in others):
                layout.labels.append(Label(text, x + dx, y + dy, anchor, box, label_size))
                taken.append(box)
                break

    # The legend under the map: one entry per status with its count, as many on a line as fit.
    counts: dict[str, list] = {}
    for p in points:
        entry = counts.setdefault(p.status, [str(p.status_label), p.color, 0])
        entry[2] += 1
    line = font_size * 1.6
    x, y = margin, plot.y1 + line
    for label, color, n in counts.values():
        text = f"{label} ({n})"
        entry_width = 12 + len(text) * font_size * CHAR_WIDTH
        if x > margin and x + entry_width > width - margin:
            x, y = margin, y + line
        box = Box(x, y - font_size, x + entry_width, y + 0.3 * font_size)
        layout.legend.append(LegendEntry(text, color, n, x + 5, y, box))
        x += entry_width + font_size
    unplaced = len(points) - len(layout.points)
    note_size = font_size * 0.75
    y += line * 0.3
    notes = []
    if unplaced:
        unplaced_text = ngettext(
            "%(n)s site without coordinates, not shown",
            "%(n)s sites without coordinates, not shown",
            unplaced,
        ) % {"n": unplaced}
        notes.append((unplaced_text, font_size * 0.9))
    # Outside an f-string: xgettext does not read inside one.
    attribution = gettext("Boundaries: %(sources)s") % {"sources": ATTRIBUTION}
    notes.append((attribution, note_size))
    for text, size in notes:
        for part in _wrap(text, size, width - 2 * margin):
            y += size * 1.3
            box = text_box(part, margin, y, size)
            layout.notes.append(Label(part, margin, y, "start", box, size))
    layout.height = math.ceil(y + margin)
    return layout


def _paths(features: list[dict], xy, *, titled: bool) -> list[str]:
    """One <path> per feature; a vertex closer than 0.7 px to the last one drawn is skipped
    (invisible at this size, and it keeps the page light on a slow link)."""
    paths = []
    for feature in features:
        d = []
        for ring in rings(feature["geometry"]):
            kept: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = xy(lon, lat)
                if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= 0.7:
                    kept.append((x, y))
            if len(kept) >= 3:
                d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
        name = escape(area_name(feature["properties"]))
        title = f"<title>{name}</title>" if titled else ""
        paths.append(f'<path d="{"".join(d)}">{title}</path>')
    return paths


def _texts(name: str, labels: list[Label], *, size: float, color: str) -> list[str]:
    """The labels over a white halo: a first copy stroked in white under the text (a halo by
    paint-order is not drawn by WeasyPrint, which then paints the text white)."""
    parts = []
    for cls, paint in (
        (f"{name}-halo", 'fill="#fff" stroke="#fff" stroke-width="3" stroke-linejoin="round"'),
        (name, f'fill="{color}"'),
    ):
        parts.append(f'<g class="{cls}" font-size="{size:.1f}" {paint}>')
        for lab in labels:
            parts.append(
                f'<text x="{lab.x:.1f}" y="{lab.y:.1f}" text-anchor="{lab.anchor}">'
                f"{escape(lab.text)}</text>"
            )
        parts.append("</g>")
    return parts


def web_map(points: list[MapPoint], *, title: Text, level: int = 1) -> str:
    """The map of a page: drawn for a phone's width (360 px), the page's CSS lets it grow to a
    laptop's column (reports.css `.map svg`); its text stays readable at both."""
    return mark_safe(render_svg(points, width=360, level=level, title=str(title)))


def render_svg(
    points: list[MapPoint],
    *,
    width: int = 520,
    level: int = 1,
    title: str = "",
    font_size: float = 11,
) -> str:
    """The map as an SVG element: boundaries, points (each a link when it has a URL, its name
    and status as a tooltip), region and point names, the legend and the attribution."""
    layout = map_layout(points, width=width, level=level, font_size=font_size)
    features = boundaries(level)["features"]
    xy = layout.xy

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map-svg" viewBox="0 0 {width} '
        f'{layout.height}" width="{width}" height="{layout.height}" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONT}">',
        '<g class="areas" fill="#eef2f6" stroke="#8a97a8" stroke-width="0.6">',
    ]
    parts += _paths(features, xy, titled=True)
    parts.append("</g>")
    if level != 1:  # the regions' outlines over the cercles'
        parts.append('<g class="outlines" fill="none" stroke="#5b6776" stroke-width="1">')
        parts += _paths(boundaries(1)["features"], xy, titled=False)
        parts.append("</g>")
    region_size = font_size * 0.95
    parts += _texts("regions", layout.regions, size=region_size, color="#4f5d6e")
    parts.append('<g class="points">')
    for p, x, y in layout.points:
        tip = gettext("%(name)s: %(status)s") % {"name": p.name, "status": p.status_label}
        circle = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS}" fill="{escape(p.color)}" '
            f'stroke="#fff" stroke-width="1"><title>{escape(tip)}</title></circle>'
        )
        parts.append(f'<a href="{escape(p.url)}">{circle}</a>' if p.url else circle)
    parts.append("</g>")
    parts += _texts("labels", layout.labels, size=font_size * 0.85, color="#1d2733")
    parts.append(f'<g class="legend" font-size="{font_size}" fill="#1d2733">')
    for e in layout.legend:
        parts.append(
            f'<circle cx="{e.x:.1f}" cy="{e.y - font_size * 0.35:.1f}" r="5" fill="{escape(e.color)}"/>'
        )
        parts.append(f'<text x="{e.x + 10:.1f}" y="{e.y:.1f}">{escape(e.label)}</text>')
    parts.append("</g>")
    parts.append('<g class="notes" fill="#5b6776">')
    for n in layout.notes:
        parts.append(
            f'<text x="{n.x:.1f}" y="{n.y:.1f}" font-size="{n.size:.1f}">{escape(n.text)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
