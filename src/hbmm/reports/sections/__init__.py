"""Section modules of the situation overview; importing this package registers them all.

Each module reads one domain through its selectors and registers its `Section` (and the
drill-downs its figures link to) with `hbmm.reports.registry.register`. A domain section is
imported only when its app's selectors exist, so this app works before every domain has landed.
"""

from importlib.util import find_spec

from hbmm.reports.sections import places  # noqa: F401

if find_spec("hbmm.health.selectors"):
    from hbmm.reports.sections import covid, poe  # noqa: F401
