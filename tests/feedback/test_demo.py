"""The feedback demo goes through the intake pipeline, every entry accepted; it is
deterministic and idempotent, and its workflow leaves every status represented."""

import io

import pytest

from hbmm.feedback import demo
from hbmm.feedback.models import Feedback
from hbmm.health.ebs import demo as ebs_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_once_through_the_pipeline(reference):
    out = io.StringIO()
    ebs_demo.load(out)
    demo.load(out)
    assert "feedback demo: 64 entries (64 accepted)" in out.getvalue()
    demo.load(out)
    assert "feedback demo: already loaded" in out.getvalue()
    assert Feedback.objects.count() == 64
    statuses = set(Feedback.objects.values_list("status", flat=True))
    assert statuses == {"open", "answered", "referred", "closed"}
    assert Feedback.objects.filter(publishable=True).exists()
    assert Feedback.objects.filter(signal__isnull=False).exists()
    assert not Feedback.objects.filter(publishable=True, sensitivity="restricted").exists()
