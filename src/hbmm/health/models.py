"""Models of the health app."""

from django.db import models  # noqa: F401
