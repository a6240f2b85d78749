"""Section modules of the situation overview; importing this package registers them all.

Each module reads one domain through its selectors and registers its `Section` (and the
drill-downs its figures link to) with `hbmm.reports.registry.register`. A new module (screening,
surveillance, protection, response...) adds its section by being imported here.
"""

from hbmm.reports.sections import (  # noqa: F401
    covid,
    feedback,
    mobility,
    places,
    poe,
    protection,
    reporting,
    response,
    screening,
    supplies,
)
