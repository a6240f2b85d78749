"""The demo reproduces the plan's rapid-assessment figures, with honest denominators."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.health import demo
from hbmm.health.models import CapacityAssessment, PoeStatus
from hbmm.health.poe.figures import round_figures
from hbmm.health.poe.selectors import (
    capacity_change,
    capacity_figures,
    capacity_trend,
    poe_status_as_of,
)
from hbmm.intake.models import ImportFile, Submission

ROUND_1 = (dt.date(2020, 3, 30), dt.date(2020, 4, 1))


@pytest.mark.django_db
def test_demo_reproduces_the_plan(make_user):
    out = io.StringIO()
    demo.load(out)
    user = make_user("viewer", areas=["MLI"])
    assert not Submission.objects.filter(status="quarantined").exists(), list(
        Submission.objects.filter(status="quarantined").values_list("row_number", "errors")
    )
    assert set(ImportFile.objects.values_list("is_demo", flat=True)) == {True}
    round_1 = capacity_figures(scope=user_scope(user), round_start=ROUND_1[0], round_end=ROUND_1[1])
    assert len(round_1.assessments) == 35
    assert round_1.points_by_type == {"bcp": 13, "itp": 6, "cordon": 16}
    plan = round_figures(
        scope=user_scope(user), start=ROUND_1[0], end=ROUND_1[1], rapid_assessment=True
    ).plan
    shares = [(f.parts["item"], f.value, f.denominator, f.share) for f in plan]
    assert shares == [
        ("surveillance_system", 6, 15, Decimal(6) * 100 / 15),
        ("traveller_awareness", 9, 13, Decimal(9) * 100 / 13),
        ("community_awareness", 8, 14, Decimal(8) * 100 / 14),
        ("isolation_space", 17, 33, Decimal(17) * 100 / 33),
    ]
    assert [f.parts["not_assessed"] for f in plan] == [4, 6, 2, 2]
    with translation.override("en"):
        assert [f.display for f in plan] == [
            "6 of 15 points (40%)",
            "9 of 13 points (69%)",
            "8 of 14 points (57%)",
            "17 of 33 points (52%)",
        ]
        assert plan[0].label == ("Without sanitary surveillance system on site (rapid assessment)")
    # later rounds improve: fewer points without an isolation space in late May than in round 1
    trend = capacity_trend(scope=user_scope(user))
    assert len(trend) == 1 + demo.WEEKLY_ROUNDS
    isolation = [figures[3].share.pct for _s, _e, figures in trend]
    assert isolation[-1] < isolation[0]
    change = capacity_change(scope=user_scope(user), week_of=dt.date(2020, 4, 8))
    assert all(c.previous is not None for c in change)
    # the border closure is in the status history
    before = {
        r.site.code: r.status_code
        for r in poe_status_as_of(scope=user_scope(user), day=dt.date(2020, 3, 15))
    }
    after = {
        r.site.code: r.status_code
        for r in poe_status_as_of(scope=user_scope(user), day=dt.date(2020, 3, 25))
    }
    assert before["BCP-KOUREMALE"] == "fully_operational"
    assert after["BCP-KOUREMALE"] == "partially_operational"
    assert after["BCP-LABBEZANGA"] == "fully_closed"
    assert before["CORDON-KATI"] == "unknown"  # no cordon before 30 March
    # idempotent
    counts = (CapacityAssessment.objects.count(), PoeStatus.objects.count())
    demo.load(out)
    assert (CapacityAssessment.objects.count(), PoeStatus.objects.count()) == counts
