"""Models of the health app."""

from django.db import models  # noqa: F401

from hbmm.health.ebs.models import *  # noqa: E402,F401,F403
from hbmm.health.screening.models import *  # noqa: E402,F401,F403
