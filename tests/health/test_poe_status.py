"""Operational status with effective dates: history, as-of queries, the GeoJSON layer."""

import datetime as dt

import pytest

from hbmm.accounts.scope import user_scope
from hbmm.health.models import PoeStatus
from hbmm.health.poe.figures import status_figures
from hbmm.health.poe.selectors import (
    poe_status_as_of,
    poe_status_geojson,
    poe_status_history,
)
from hbmm.intake.models import Submission
from tests.health.poe_helpers import import_rows


@pytest.fixture
def im(make_user):
    user = make_user("im_officer", areas=["MLI"])
    record = import_rows(
        "poe_status",
        [
            {
                "site": "BCP-GOGUI",
                "effective_from": "2020-01-01",
                "status": "fully_operational",
                "health_measures": "routine_screening",
                "daily_inflow": "120",
                "daily_outflow": "150",
            },
            {
                "site": "BCP-GOGUI",
                "effective_from": "2020-03-20",
                "status": "fully_closed",
                "populations_affected": "nationals foreigners",
                "health_measures": "covid_screening",
            },
            {
                "site": "BCP-GOGUI",
                "effective_from": "2020-05-20",
                "status": "partially_operational",
                "restriction": "entry",
                "populations_affected": "foreigners;goods",
                "health_measures": "covid_screening quarantine",
            },
            {
                "site": "BCP-DIBOLI",
                "effective_from": "20/03/2020",
                "status": "partially_operational",
                "restriction": "both",
                "populations_affected": "nationals,foreigners",
            },
        ],
        user=user,
    )
    assert record.rows_accepted == 4, list(Submission.objects.values_list("errors", flat=True))
    return user


def statuses(user, day):
    return {r.site.code: r.status_code for r in poe_status_as_of(scope=user_scope(user), day=day)}


@pytest.mark.django_db
def test_status_as_of_a_day(im):
    assert statuses(im, dt.date(2020, 3, 19))["BCP-GOGUI"] == "fully_operational"
    on_15_may = statuses(im, dt.date(2020, 5, 15))
    assert on_15_may["BCP-GOGUI"] == "fully_closed"
    assert on_15_may["BCP-DIBOLI"] == "partially_operational"
    assert on_15_may["BCP-KOUREMALE"] == "unknown"  # nothing recorded
    assert "OFF-BAMAKO" not in on_15_may  # not a point of entry
    assert statuses(im, dt.date(2020, 5, 20))["BCP-GOGUI"] == "partially_operational"
    closed = PoeStatus.objects.get(site__code="BCP-GOGUI", effective_from="2020-03-20")
    assert closed.restriction == "both"  # a closure restricts both ways unless told otherwise
    status = status_figures(scope=user_scope(im), as_of=dt.date(2020, 5, 15))
    assert [(f.key, f.value, f.denominator) for f in status.figures] == [
        ("poe.status.fully_operational", 0, 9),
        ("poe.status.partially_operational", 1, 9),
        ("poe.status.fully_closed", 1, 9),
        ("poe.status.unknown", 7, 9),
    ]
    assert status.counts == {
        "fully_operational": 0,
        "partially_operational": 1,
        "fully_closed": 1,
        "unknown": 7,  # 5 other shipped border posts, 2 transit points
    }
    history = poe_status_history(scope=user_scope(im), site=closed.site)
    assert [s.effective_from.month for s in history] == [5, 3, 1]
    assert history[0].populations_affected == ["foreigners", "goods"]


@pytest.mark.django_db
def test_geojson_layer(im):
    layer = poe_status_geojson(scope=user_scope(im), day=dt.date(2020, 5, 15))
    assert layer["type"] == "FeatureCollection" and layer["as_of"] == "2020-05-15"
    features = {f["id"]: f for f in layer["features"]}
    gogui = features["BCP-GOGUI"]
    assert gogui["geometry"] == {"type": "Point", "coordinates": [-9.32986, 15.686537]}
    assert gogui["properties"]["status"] == "fully_closed"
    assert gogui["properties"]["effective_from"] == "2020-03-20"
    assert features["BCP-DIBOLI"]["geometry"] is None  # no public coordinates


@pytest.mark.django_db
def test_scope_limits_the_status(im, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    assert statuses(agent, dt.date(2020, 5, 15)) == {"BCP-DIBOLI": "partially_operational"}


@pytest.mark.django_db
def test_bad_status_values_are_quarantined(im):
    record = import_rows(
        "poe_status",
        [
            {
                "site": "BCP-SONA",
                "effective_from": "2020-04-01",
                "status": "half-open",
                "health_measures": "none covid_screening",
                "populations_affected": "tourists",
            },
        ],
        user=im,
        name="bad.csv",
    )
    assert record.rows_quarantined == 1
    bad = Submission.objects.get(status="quarantined")
    assert [(e["field"], e["value"]) for e in bad.errors] == [
        ("status", "half-open"),
        ("populations_affected", "tourists"),
        ("health_measures", "none covid_screening"),
    ]
