"""The one map drawing (`hbmm.presentation.map_svg`): read back from the drawn SVG, the legend
never covers a point, no two names overlap, no name covers a point, and a name that would is
left out; the region names are there in the page's language's text; every point is drawn."""

import re
import xml.etree.ElementTree as ET

from django.utils import translation

from hbmm.presentation.map_svg import Box, map_layout, render_svg, text_box
from hbmm.presentation.maps import MapPoint

NS = "{http://www.w3.org/2000/svg}"

# Sites along the south, a dense cluster around Bamako (names that would collide), sites at the
# country's edges (names that would leave the map), and one in the far north-west, under the
# empty corner where the legend used to be drawn over the map.
SITES = [
    ("A", "Kourémalé", 11.95, -8.78),
    ("B", "Gogui", 15.69, -9.33),
    ("C", "Bamako centre", 12.64, -8.0),
    ("D", "Bamako gare", 12.66, -7.98),
    ("E", "Bamako aéroport", 12.53, -7.95),
    ("F", "Kati", 12.74, -8.07),
    ("G", "Labbézanga", 14.95, 0.70),
    ("H", "Tessalit", 20.2, 1.0),
    ("I", "Ménaka", 15.92, 2.40),
    ("K", "Poste nord", 24.3, -6.2),
    ("J", "Sans coordonnées", None, None),
]


def points() -> list[MapPoint]:
    # long labels, as the real ones: the legend's lines reach far into the map
    statuses = [
        ("open", "Pleinement opérationnel", "#067647"),
        ("partly", "Partiellement opérationnel", "#e07b00"),
    ]
    found = []
    for i, (code, name, lat, lon) in enumerate(SITES):
        status, label, color = statuses[i % 2]
        found.append(MapPoint(code, name, lat, lon, status, label, color))
    return found


def drawn(svg: str) -> dict:
    """The boxes of what the SVG draws, read from its elements (text boxes estimated from the
    font size as the layout does)."""
    root = ET.fromstring(svg)
    groups = {g.get("class"): g for g in root.iter(f"{NS}g")}

    def texts(name: str) -> list[tuple[str, Box]]:
        group = groups[name]
        found = []
        for t in group.iter(f"{NS}text"):
            size = float(t.get("font-size") or group.get("font-size"))
            x, y = float(t.get("x")), float(t.get("y"))
            found.append((t.text, text_box(t.text, x, y, size, t.get("text-anchor") or "start")))
        return found

    circles = [
        Box(
            float(c.get("cx")) - 4.5,
            float(c.get("cy")) - 4.5,
            float(c.get("cx")) + 4.5,
            float(c.get("cy")) + 4.5,
        )
        for c in groups["points"].iter(f"{NS}circle")
    ]
    legend = [b for _t, b in texts("legend")] + [
        Box(
            float(c.get("cx")) - 5,
            float(c.get("cy")) - 5,
            float(c.get("cx")) + 5,
            float(c.get("cy")) + 5,
        )
        for c in groups["legend"].iter(f"{NS}circle")
    ]
    return {
        "points": circles,
        "labels": texts("labels"),
        "regions": texts("regions"),
        "legend": legend,
        "legend_text": [t for t, _b in texts("legend")],
        "notes": [t for t, _b in texts("notes")],
    }


def test_the_legend_never_covers_a_point():
    for width in (360, 520):
        found = drawn(render_svg(points(), width=width, title="Test"))
        assert len(found["points"]) == 10  # every site with coordinates; J is counted apart
        assert found["legend"]
        for legend_box in found["legend"]:
            for point in found["points"]:
                assert not legend_box.overlaps(point), (width, legend_box, point)
        assert found["legend_text"] == [
            "Pleinement opérationnel (6)",
            "Partiellement opérationnel (5)",
        ]
        assert "1 site without coordinates, not shown" in found["notes"]


def test_names_overlap_nothing_and_stay_on_the_map():
    for width in (360, 520):
        layout = map_layout(points(), width=width)
        found = drawn(render_svg(points(), width=width, title="Test"))
        labels = found["labels"]
        assert 4 <= len(labels) < 10  # the cluster around Bamako cannot name every site
        boxes = [b for _t, b in labels] + [b for _t, b in found["regions"]]
        for i, a in enumerate(boxes):
            assert a.inside(layout.plot), a
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), (a, b)
            for point in found["points"]:
                assert not a.overlaps(point), (a, point)
        # the isolated sites are named
        names = {t for t, _b in labels}
        assert {"Gogui", "Labbézanga", "Tessalit"} <= names


def test_a_name_that_would_cover_a_point_is_left_out():
    # A site with a neighbour 9 px away on each side: each place of its name (right, left,
    # above, below) covers a neighbour's point, so it goes unnamed; the neighbours are named.
    probe = map_layout([], width=360)
    dlon, dlat = 9 / (probe.scale * probe.kx), 9 / probe.scale
    lat, lon = 14.0, -4.0
    cross = [
        MapPoint("C", "Centre", lat, lon, "s", "S", "#000"),
        MapPoint("E", "Est", lat, lon + dlon, "s", "S", "#000"),
        MapPoint("W", "Ouest", lat, lon - dlon, "s", "S", "#000"),
        MapPoint("N", "Nord", lat + dlat, lon, "s", "S", "#000"),
        MapPoint("S", "Sud", lat - dlat, lon, "s", "S", "#000"),
    ]
    layout = map_layout(cross, width=360)
    named = {label.text for label in layout.labels}
    assert "Centre" not in named
    assert {"Est", "Ouest"} <= named
    for label in layout.labels:
        for box in layout.point_boxes:
            assert not label.box.overlaps(box), label


def test_region_names_are_drawn_and_every_point_is_a_link_with_its_tooltip():
    url_point = MapPoint("A", "Gogui", 15.69, -9.33, "open", "Ouvert", "#067647", url="/x/?a=1&b=2")
    with translation.override("fr"):
        svg = render_svg([url_point], width=360, title="Carte")
    regions = [t for t, _b in drawn(svg)["regions"]]
    assert {"Kayes", "Tombouctou", "Gao", "Kidal", "Mopti", "Sikasso"} <= set(regions)
    # French pages write place names with their accents; the boundary file has OCHA's.
    assert "Ségou" in svg and "Segou" not in svg
    with translation.override("en"):
        assert "Segou" in render_svg([url_point], width=360, title="Map")
    assert '<a href="/x/?a=1&amp;b=2"><circle' in svg
    assert "<title>Gogui\u202f: Ouvert</title>" in svg
    assert re.search(r"Limites administratives\u202f: geoBoundaries", svg)
