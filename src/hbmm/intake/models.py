"""Models of the intake app."""

from django.db import models  # noqa: F401
