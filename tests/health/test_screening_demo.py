"""The demonstration data (shortened): through the pipeline, flagged as demo, suspects taken
through the workflow, signals triaged; loading twice adds nothing."""

# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
import io

import pytest

from hbmm.health.ebs import demo as ebs_demo
from hbmm.health.ebs.models import Signal
from hbmm.health.screening import demo as screening_demo
from hbmm.health.screening.models import Screening
from hbmm.intake.models import Submission
from tests.health.screening_fixtures import english  # noqa: F401


@pytest.mark.django_db
def test_demo_loads_through_the_pipeline_once(reference, monkeypatch):
    monkeypatch.setattr(screening_demo, "DAYS", 12)
    out = io.StringIO()
    ebs_demo.load(out)
    screening_demo.load(out)
    screenings = Screening.objects.all()
    assert screenings.count() == Submission.objects.filter(form_id="screening").count() > 50
    assert not Submission.objects.exclude(status="accepted").exists()
    assert not Submission.objects.filter(is_demo=False).exists()
    suspects = screenings.filter(is_suspect=True)
    assert suspects.exists()
    assert suspects.filter(notified_at__isnull=True).count() == 0
    assert suspects.filter(outcome_at__isnull=False).count() >= 1
    assert screenings.filter(classification_status="overridden").count() == 2
    assert Signal.objects.count() == 40 and Signal.objects.filter(status="new").count() == 3
    before = (Screening.objects.count(), Signal.objects.count(), Submission.objects.count())
    ebs_demo.load(out)
    screening_demo.load(out)
    assert (Screening.objects.count(), Signal.objects.count(), Submission.objects.count()) == before
    assert "already loaded" in out.getvalue()
