"""Maps: the shipped Mali admin boundaries with sites as coloured points.

One drawing for the pages and the report: the SVG of `hbmm.presentation.map_svg`, made on the
server, so the PDF and the self-contained HTML need nothing from the network and a page shows
the same map as the printed report.
"""

# The kernel (boundaries, points) and the drawing live in hbmm.presentation, so the domains'
# own pages draw maps too.
from hbmm.presentation.map_svg import render_svg  # noqa: F401  (re-exported: sitrep, views)
from hbmm.presentation.maps import (  # noqa: F401  (re-exported: reports.views, sections)
    ATTRIBUTION,
    BOUNDARY_FILES,
    MapPoint,
    boundaries,
    boundaries_text,
)
