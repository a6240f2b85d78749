"""The map of the response dashboard: where activities happened, one point per cercle (or
region) at the centre of its shipped boundary, coloured by how many 4W rows were reported
there, each a link to those rows. Drawn as every map is
(`hbmm.presentation.map_svg`): the cercle's name beside its point."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.presentation.figures import format_number
from hbmm.presentation.maps import MapPoint, area_centres
from hbmm.response.selectors import MapArea

# (fewest rows, colour): the class of a point is the last whose bound it reaches
CLASSES = ((1, "#9ecae1"), (5, "#4292c6"), (20, "#08519c"))


def _class_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(n)s activity reports or more") % {"n": format_number(low)}
    if low == high:
        return ngettext("%(n)s activity report", "%(n)s activity reports", low) % {"n": low}
    return _("%(low)s to %(high)s activity reports") % {"low": low, "high": high}


def activity_points(areas: list[MapArea]) -> list[MapPoint]:
    centres = area_centres()
    url = reverse("response:reports")
    points = []
    for found in areas:
        index = max(i for i, (low, _c) in enumerate(CLASSES) if found.rows >= low)
        low, color = CLASSES[index]
        high = CLASSES[index + 1][0] - 1 if index + 1 < len(CLASSES) else None
        centre = centres.get(found.area.pcode)
        lat, lon = centre if centre is not None else (None, None)
        name = ngettext(
            "%(area)s: %(rows)s activity report by %(partners)s organisation",
            "%(area)s: %(rows)s activity reports by %(partners)s organisation(s)",
            found.rows,
        ) % {
            "area": found.area.name,
            "rows": format_number(found.rows),
            "partners": format_number(found.partners),
        }
        points.append(
            MapPoint(
                code=found.area.pcode,
                name=name,
                latitude=lat,
                longitude=lon,
                status=str(index),
                status_label=_class_label(low, high),
                color=color,
                url=f"{url}?area={found.area.pcode}",
                label=found.area.name,
            )
        )
    return points
