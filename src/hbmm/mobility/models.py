"""Models of the mobility app."""

from django.db import models  # noqa: F401
