# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Screening figures on fixed timestamps (exact values), per point, week, sex/age group and
nationality, restricted to the user's scope; identifiers read only with the permission,
each read audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.health.screening import selectors
from hbmm.health.screening.charts import weekly_chart
from hbmm.health.screening.workflow import (
    screening_isolate,
    screening_notify,
    screening_refer,
    screening_result,
    screening_sample,
)
from tests.health.screening_fixtures import T0, english, facilities, fever_cough, healthy, screen  # noqa: F401

H = dt.timedelta(hours=1)
APRIL = (dt.date(2020, 4, 1), dt.date(2020, 4, 30))


@pytest.fixture
def records(screen, facilities):
    s1 = screen("BCP-DIBOLI", T0, **healthy(nationality="SEN"))
    s2 = screen("BCP-DIBOLI", T0 + H, **fever_cough(nationality="SEN"))
    screen("BCP-DIBOLI", T0 + 2 * H, **healthy(symptoms=["headache"], age=10, nationality="MLI"))
    t1 = T0 + dt.timedelta(days=7)  # week 17
    s4 = screen("BCP-GOGUI", t1, **fever_cough(age=70, nationality="MRT"))
    screen("BCP-HEREMAKONO", T0, **healthy(sex="male", age=5, nationality="BFA"))
    screen("BCP-DIBOLI", dt.datetime(2020, 5, 2, 9, tzinfo=dt.UTC), **healthy())  # May

    hospital, lab = facilities["hospital"], facilities["lab"]
    start = s2.screened_at
    screening_isolate(screening=s2, by=None, at=start + 0.5 * H)
    screening_notify(screening=s2, by=None, at=start + H, send_email=False)
    screening_refer(
        screening=s2, by=None, facility=hospital, transport="ambulance", at=start + 3 * H
    )
    screening_sample(screening=s2, by=None, lab=lab, at=start + 4 * H)
    screening_result(screening=s2, by=None, result="positive", at=start + 30 * H)
    screening_isolate(screening=s4, by=None, at=t1 + H)
    screening_notify(screening=s4, by=None, at=t1 + 2 * H, send_email=False)
    screening_refer(screening=s4, by=None, facility=hospital, transport="other", at=t1 + 10 * H)
    return {"healthy": s1, "suspect": s2}


@pytest.mark.django_db
def test_summary_exact_values(records, make_user):
    national = make_user("viewer", areas=["MLI"])
    summary = selectors.screening_summary(scope=user_scope(national), start=APRIL[0], end=APRIL[1])
    assert {k: summary[k] for k in selectors.COUNTS} == {
        "screened": 5,
        "with_symptoms": 3,
        "suspect": 2,
        "isolated": 2,
        "notified": 2,
        "referred": 2,
        "sampled": 1,
        "positive": 1,
    }
    assert summary["points"] == 3
    assert (summary["suspect_share"], summary["with_symptoms_share"]) == (40.0, 60.0)
    assert (summary["referred_share"], summary["sampled_share"]) == (100.0, 50.0)
    assert summary["median_hours_to_notification"] == 1.5  # 1 h and 2 h
    assert summary["median_hours_to_referral"] == 6.5  # 3 h and 10 h
    assert summary["median_hours_notification_to_referral"] == 5.0  # 2 h and 8 h
    assert (summary["notified_count"], summary["referred_count"]) == (2, 2)


@pytest.mark.django_db
def test_figures_by_point_and_week(records, make_user):
    national = make_user("viewer", areas=["MLI"])
    rows = selectors.screening_figures(
        scope=user_scope(national), start=None, end=None, by=("point", "week")
    )
    compact = [
        (r["point"], r["week"], r["screened"], r["suspect"], r["median_hours_to_referral"])
        for r in rows
    ]
    assert compact == [
        ("BCP-DIBOLI", "2020-W16", 3, 1, 3.0),
        ("BCP-DIBOLI", "2020-W18", 1, 0, None),
        ("BCP-GOGUI", "2020-W17", 1, 1, 10.0),
        ("BCP-HEREMAKONO", "2020-W16", 1, 0, None),
    ]


@pytest.mark.django_db
def test_figures_by_sex_age_and_nationality(records, make_user):
    national = make_user("viewer", areas=["MLI"])
    rows = selectors.screening_figures(
        scope=user_scope(national), start=APRIL[0], end=APRIL[1], by=("sex", "age_group")
    )
    assert [(r["sex"], r["age_group"], r["screened"], r["suspect"]) for r in rows] == [
        ("female", "5-14", 1, 0),  # age groups in their natural order
        ("female", "25-49", 1, 0),
        ("male", "5-14", 1, 0),
        ("male", "25-49", 1, 1),
        ("male", "65+", 1, 1),
    ]
    rows = selectors.screening_figures(
        scope=user_scope(national), start=APRIL[0], end=APRIL[1], by=("nationality",)
    )
    assert [(r["nationality"], r["screened"], r["with_symptoms"]) for r in rows] == [
        ("BFA", 1, 0),
        ("MLI", 1, 1),
        ("MRT", 1, 1),
        ("SEN", 2, 1),
    ]


@pytest.mark.django_db
def test_scope_per_role(records, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    supervisor = make_user("poe_supervisor", areas=["ML01"])  # Kayes: Diboli and Gogui
    sikasso = make_user("surveillance_officer", areas=["ML03"])
    counts = {
        name: selectors.screening_summary(scope=user_scope(user), start=APRIL[0], end=APRIL[1])[
            "screened"
        ]
        for name, user in (("agent", agent), ("supervisor", supervisor), ("sikasso", sikasso))
    }
    assert counts == {"agent": 3, "supervisor": 4, "sikasso": 1}
    assert selectors.screening_list(scope=user_scope(agent), suspect_only=True).count() == 1


@pytest.mark.django_db
def test_identifiers_need_the_permission_and_every_read_is_audited(screen, make_user):
    s = screen(name="Aminata Coulibaly", phone="+22370112233", document_number="X1")
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    im_officer = make_user("im_officer", areas=["MLI"])
    viewer = make_user("viewer", areas=["MLI"])
    for user in (im_officer, viewer):
        with pytest.raises(PermissionDenied):
            selectors.screening_identifiers_read(user=user, screening=s)
    assert not AuditEvent.objects.filter(action="read_protected").exists()
    values = selectors.screening_identifiers_read(user=agent, screening=s)
    assert values == {"name": "Aminata Coulibaly", "phone": "+22370112233", "document_number": "X1"}
    selectors.screening_identifiers_read(user=agent, screening=s)
    reads = AuditEvent.objects.filter(action="read_protected", target=f"health.screening:{s.pk}")
    assert reads.count() == 2 and reads.first().actor == agent


@pytest.mark.django_db
def test_chart_spec_is_vega_lite(records, make_user):
    rows = selectors.screening_figures(
        scope=user_scope(make_user("viewer", areas=["MLI"])),
        start=APRIL[0],
        end=APRIL[1],
        by=("week",),
    )
    spec = weekly_chart(rows).spec
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    values = spec["datasets"]["rows"]
    assert {"week": "2020-W16", "what": "Screened", "n": 4} in values
