"""Point-of-entry pages: figures, gaps (sortable, CSV), status as of a date, access, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.health import demo
from hbmm.health.models import CapacityAssessment, PoeStatus


@pytest.fixture
def demo_data(reference):
    import io

    demo.load(io.StringIO())


@pytest.mark.django_db
def test_pages_on_the_demo_data(client, make_user, demo_data):
    """One test over the demo (loading it takes a few seconds): capacity, gaps, status, scope."""
    client.force_login(make_user("viewer", areas=["MLI"]))
    page = client.get(reverse("health:capacity"), {"week": "2020-03-30"})
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("6 sur 15 points (40", "9 sur 13 points (69", "8 sur 14 points (57"):
        assert text in html  # French is the default language ("40 %", no-break space)
    assert "17 sur 33 points (52\u202f%)" in html
    english = client.get(
        reverse("health:capacity"), {"week": "2020-03-30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "6 of 15 points (40%)" in english.content.decode()
    gaps = client.get(reverse("health:capacity_gaps"), {"week": "2020-03-30", "order": "-region"})
    assert gaps.status_code == 200
    rows = gaps.context["gaps"]
    assert rows and [g.region.pcode for g in rows] == sorted(
        (g.region.pcode for g in rows), reverse=True
    )
    # The gap list's export is the capacity table's rows answered "no".
    isolation = client.get(
        reverse("health:capacity_gaps"), {"week": "2020-03-30", "item": "isolation_space"}
    )
    export = client.get(isolation.context["export"])
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[1].startswith("#loc+code,#loc+name,#loc+type")
    assert len(lines) == 2 + 17  # the 17 points without an isolation space
    assert all(line.endswith(",isolation_space,no") for line in lines[2:])
    assert len(isolation.context["gaps"]) == 17
    event = AuditEvent.objects.get(action="export")
    assert event.target == "reports.table:health.capacity"
    assert event.details["filters"]["answer"] == "no"
    assert client.get(reverse("health:capacity_gaps"), {"order": "nope"}).status_code == 400
    assert client.get(reverse("health:capacity_list")).status_code == 200
    # status
    page = client.get(reverse("health:status"), {"day": "2020-05-15"})
    assert page.status_code == 200
    assert len(page.context["rows"]) == 35
    assert 'data-status="fully_closed"' in page.content.decode()
    # The point's type by its name (French, the default), never its code.
    cells = re.findall(r"</span></td><td>([^<]*)</td>", page.content.decode())
    assert set(cells) == {
        "point de passage frontalier",
        "point de transit interne",
        "cordon sanitaire",
    }
    layer = client.get(reverse("health:status_geojson"), {"day": "2020-03-25"})
    assert layer["Content-Type"] == "application/geo+json"
    assert len(layer.json()["features"]) == 35
    history = client.get(reverse("health:status_history", args=["BCP-KOUREMALE"]))
    assert [s.effective_from.isoformat() for s in history.context["history"]] == [
        "2020-05-04",
        "2020-03-20",
        "2020-03-02",
        "2020-01-01",
    ]
    # scope and permissions
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    client.force_login(agent)
    assert client.get(reverse("health:status_history", args=["BCP-GOGUI"])).status_code == 200
    assert client.get(reverse("health:status_history", args=["BCP-DIBOLI"])).status_code == 404
    rows = client.get(reverse("health:status"), {"day": "2020-05-15"}).context["rows"]
    assert [r.site.code for r in rows] == ["BCP-GOGUI"]
    assert client.get(reverse("health:status_new")).status_code == 403
    assert client.get(reverse("health:epi")).status_code == 403
    capacity = client.get(reverse("health:capacity"), {"week": "2020-03-30"})
    assert [a.site.code for a in capacity.context["figures"].assessments] == ["BCP-GOGUI"]
    client.force_login(make_user("enumerator", areas=["MLI"]))
    assert client.get(reverse("health:status")).status_code == 403


@pytest.mark.django_db
def test_capacity_and_status_web_forms(client, make_user, reference):
    agent = make_user("poe_supervisor", sites=["BCP-GOGUI"])
    client.force_login(agent)
    form = {
        "site": "BCP-GOGUI",
        "point_type": "bcp",
        "assessed_on": "2020-04-02",
        "surveillance_system": "yes",
        "traveller_awareness": "no",
        "community_awareness": "not_assessed",
        "isolation_space": "no",
        "handwashing": "yes",
        "screening_equipment": "yes",
        "ppe_stock": "no",
        "trained_staff": "no",
        "referral_pathway": "yes",
        "data_tool": "not_assessed",
        "health_staff_present": "2",
        "screening_hours_per_day": "12",
    }
    assert client.post(reverse("health:capacity_new"), form).status_code == 302
    record = CapacityAssessment.objects.get()
    assert record.submission.channel == "web" and record.submission.submitter == agent
    other = client.post(reverse("health:capacity_new"), {**form, "site": "BCP-DIBOLI"})
    assert other.status_code == 200 and "site" in other.context["form"].errors
    status = {
        "site": "BCP-GOGUI",
        "effective_from": "2020-03-20",
        "status": "fully_closed",
        "health_measures": ["none", "quarantine"],
    }
    refused = client.post(reverse("health:status_new"), status)
    assert "health_measures" in refused.context["form"].errors
    status["health_measures"] = ["covid_screening"]
    assert client.post(reverse("health:status_new"), status).status_code == 302
    assert PoeStatus.objects.get().restriction == "both"


@pytest.mark.django_db
def test_pages_query_count_does_not_grow_with_rows(client, make_user, reference):
    from tests.health.poe_helpers import import_rows

    im = make_user("im_officer", areas=["MLI"])
    client.force_login(im)
    urls = [
        (reverse("health:status"), {"day": "2020-05-15"}),
        (reverse("health:capacity"), {"week": "2020-03-30"}),
        (reverse("health:capacity_gaps"), {"week": "2020-03-30"}),
        (reverse("health:capacity_list"), {}),
        ("/reports/drilldown/health.capacity/", {"start": "2020-03-30", "end": "2020-04-05"}),
        ("/reports/drilldown/health.status/", {"as_of": "2020-05-15"}),
    ]

    def counts():
        result = []
        for url, params in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, params).status_code == 200
            result.append(len(queries))
        return result

    def load(codes, name):
        for kind, values in (
            ("poe_capacity", {"assessed_on": "2020-03-30", "data_tool": "no"}),
            ("poe_status", {"effective_from": "2020-03-20", "status": "fully_closed"}),
        ):
            record = import_rows(
                kind, [{"site": c, **values} for c in codes], user=im, name=f"{name}-{kind}.csv"
            )
            assert record.rows_accepted == len(codes)

    load(["BCP-GOGUI"], "one")
    counts()  # warm: the session keeps the as-of date once (hbmm.presentation.as_of)
    few = counts()
    load([c for c in demo.SHIPPED_BCP + demo.SHIPPED_ITP if c != "BCP-GOGUI"], "many")
    assert counts() == few
