"""Feedback entries made through the service, at fixed times (April 2020, UTC)."""

import datetime as dt

import pytest

from hbmm.feedback.services import feedback_log
from hbmm.places.models import AdminArea, Site

R0 = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)  # a Monday, ISO week 2020-W17
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def log_entry(reference):
    """log_entry(at=..., pcode=... or site=..., **values) -> a Feedback logged by the service."""

    def make(at=R0, *, pcode="ML0103", site=None, **values):
        place = (
            {"site": Site.objects.get(code=site)}
            if site
            else {"area": AdminArea.objects.get(pcode=pcode)}
        )
        values.setdefault("channel", "hotline")
        values.setdefault("text", "On dit que les migrants apportent la maladie.")
        return feedback_log(received_at=at, **place, **values)

    return make
