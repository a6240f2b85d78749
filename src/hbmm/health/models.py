"""The health app's models, by module: epidemiological series (`epi`), points of entry
(`poe`), traveller screening (`screening`), laboratories and samples (`labs`) and community event-based surveillance (`ebs`).

Django finds an app's models through this module; each package keeps its own `models.py`
(app label `health` for all, so the tables and migrations are those of the health app).
Records are written by each module's services and read through its selectors.
"""

from hbmm.health.ebs.models import *  # noqa: F401,F403
from hbmm.health.epi.models import *  # noqa: F401,F403
from hbmm.health.labs.models import *  # noqa: F401,F403
from hbmm.health.poe.models import *  # noqa: F401,F403
from hbmm.health.screening.models import *  # noqa: F401,F403
