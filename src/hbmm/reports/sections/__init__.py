"""Section modules of the situation overview; importing this package registers them all.

Each module reads one domain through its selectors and registers its `Section` (and the
drill-downs its figures link to) with `hbmm.reports.registry.register`.
"""

from hbmm.reports.sections import places  # noqa: F401
