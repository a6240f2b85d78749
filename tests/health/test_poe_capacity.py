"""Capacity figures: "n of N (p %)" where N counts the points that answered; "not assessed"
is never a "no"; by type and region; week-over-week; gaps; bad answers quarantined."""

import datetime as dt

import pytest
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.health.models import CapacityAssessment
from hbmm.health.poe.figures import round_figures
from hbmm.health.poe.selectors import (
    capacity_change,
    capacity_figures,
    capacity_gaps,
    capacity_trend,
)
from hbmm.intake.models import Submission
from tests.health.poe_helpers import import_rows

W14 = (dt.date(2020, 3, 30), dt.date(2020, 4, 5))


def row(site, day, **answers):
    return {"site": site, "assessed_on": day, **answers}


@pytest.fixture
def im(make_user):
    return make_user("im_officer", areas=["MLI"])


@pytest.fixture
def assessed(im):
    """Four points in week 14 (three border posts, one transit point), one the week after."""
    record = import_rows(
        "poe_capacity",
        [
            row("BCP-GOGUI", "2020-03-30", isolation_space="no", surveillance_system="yes"),
            row("BCP-DIBOLI", "2020-03-31", isolation_space="no", surveillance_system="no"),
            # nothing said about the isolation space: not assessed, not "no"
            row("BCP-KOUREMALE", "2020-04-01", surveillance_system="non"),
            row("FMP-BAMAKO", "2020-04-01", isolation_space="oui", surveillance_system="NA"),
            # an earlier assessment of Gogui in the same week is replaced by the latest one
            row("BCP-GOGUI", "2020-03-29", isolation_space="yes"),
            row("BCP-GOGUI", "2020-04-07", isolation_space="yes", surveillance_system="yes"),
            row("BCP-DIBOLI", "2020-04-08", isolation_space="no", surveillance_system="yes"),
        ],
        user=im,
    )
    assert record.rows_accepted == 7, list(Submission.objects.values_list("errors", flat=True))
    return im


def share(figure):
    return (figure.share.n, figure.share.total, figure.share.pct, figure.share.not_assessed)


@pytest.mark.django_db
def test_not_assessed_is_left_out_of_the_denominator(assessed):
    figures = capacity_figures(scope=user_scope(assessed), round_start=W14[0], round_end=W14[1])
    assert [a.site.code for a in figures.assessments] == [
        "BCP-DIBOLI",
        "BCP-GOGUI",
        "BCP-KOUREMALE",
        "FMP-BAMAKO",
    ]
    by_item = {f.item: f for f in figures.items}
    assert share(by_item["isolation_space"]) == (2, 3, 67, 1)
    with translation.override("en"):
        assert str(by_item["isolation_space"].share) == "2 of 3 (67 %)"
    with translation.override("fr"):
        assert str(by_item["isolation_space"].share) == "2 sur 3 (67\u202f%)"
    assert by_item["isolation_space"].without == ["BCP-DIBOLI", "BCP-GOGUI"]
    assert by_item["isolation_space"].not_assessed == ["BCP-KOUREMALE"]
    assert share(by_item["surveillance_system"]) == (2, 3, 67, 1)
    assert share(by_item["ppe_stock"]) == (0, 0, None, 4)
    with translation.override("en"):
        assert str(by_item["ppe_stock"].share) == "no answer"
    bcp = {f.item: f for f in figures.by_type["bcp"]}
    assert share(bcp["isolation_space"]) == (2, 2, 100, 1)
    itp = {f.item: f for f in figures.by_type["itp"]}
    assert share(itp["isolation_space"]) == (0, 1, 0, 0)
    regions = {r.pcode: {f.item: f for f in row} for r, row in figures.by_region}
    assert sorted(regions) == ["ML01", "ML02", "ML09"]  # Kayes, Koulikoro, Bamako
    assert share(regions["ML01"]["isolation_space"]) == (2, 2, 100, 0)
    plan = round_figures(scope=user_scope(assessed), start=W14[0], end=W14[1]).plan
    assert (plan[0].value, plan[0].denominator, plan[0].parts["not_assessed"]) == (2, 3, 1)
    with translation.override("en"):
        assert plan[0].display == "2 of 3 points (67%)"
        assert "2 answered “no” out of 3 that answered yes or no; 1 not assessed" in (
            plan[0].definition
        )


@pytest.mark.django_db
def test_week_over_week_trend_and_gaps(assessed):
    change = {
        c.item: c for c in capacity_change(scope=user_scope(assessed), week_of=dt.date(2020, 4, 8))
    }
    isolation = change["isolation_space"]
    assert share(isolation.current) == (1, 2, 50, 0)
    assert isolation.change_points == 50 - 67 and isolation.change_n == -1
    trend = capacity_trend(scope=user_scope(assessed))
    assert [(s, share(items[3])) for s, _e, items in trend] == [
        (dt.date(2020, 3, 23), (0, 1, 0, 0)),
        (dt.date(2020, 3, 30), (2, 3, 67, 1)),
        (dt.date(2020, 4, 6), (1, 2, 50, 0)),
    ]
    gaps = capacity_gaps(scope=user_scope(assessed), round_start=W14[0], round_end=W14[1])
    assert [(g.site.code, g.item) for g in gaps] == [
        ("BCP-DIBOLI", "surveillance_system"),
        ("BCP-DIBOLI", "isolation_space"),
        ("BCP-GOGUI", "isolation_space"),
        ("BCP-KOUREMALE", "surveillance_system"),
    ]
    by_item = capacity_gaps(
        scope=user_scope(assessed), round_start=W14[0], round_end=W14[1], order="-item"
    )
    assert [g.item for g in by_item] == ["isolation_space"] * 2 + ["surveillance_system"] * 2


@pytest.mark.django_db
def test_scope_limits_the_figures(assessed, make_user):
    kayes = make_user("poe_supervisor", areas=["ML01"])
    figures = capacity_figures(scope=user_scope(kayes), round_start=W14[0], round_end=W14[1])
    assert [a.site.code for a in figures.assessments] == ["BCP-DIBOLI", "BCP-GOGUI"]
    nobody = make_user("poe_supervisor")
    assert (
        capacity_figures(scope=user_scope(nobody), round_start=W14[0], round_end=W14[1]).assessments
        == []
    )


@pytest.mark.django_db
def test_answer_outside_yes_no_not_assessed_is_quarantined(im):
    record = import_rows(
        "poe_capacity",
        [
            row("BCP-GOGUI", "2020-03-30", isolation_space="maybe", handwashing="yes"),
            row("BCP-NOWHERE", "2020-03-30", data_tool="no"),
            row("OFF-BAMAKO", "2020-03-30", screening_hours_per_day="30"),
        ],
        user=im,
    )
    assert (record.rows_accepted, record.rows_quarantined) == (0, 3)
    reasons = {
        s.row_number: [(e["field"], e["value"]) for e in s.errors]
        for s in Submission.objects.filter(status="quarantined")
    }
    assert reasons == {
        2: [("isolation_space", "maybe")],
        3: [("site", "BCP-NOWHERE")],
        4: [("site", "OFF-BAMAKO"), ("screening_hours_per_day", "30")],
    }
    assert not CapacityAssessment.objects.exists()


@pytest.mark.django_db
def test_point_outside_the_submitters_scope_is_refused(make_user):
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    record = import_rows(
        "poe_capacity",
        [row("BCP-GOGUI", "2020-03-30", data_tool="yes"), row("BCP-DIBOLI", "2020-03-30")],
        user=agent,
    )
    assert (record.rows_accepted, record.rows_quarantined) == (1, 1)
    bad = Submission.objects.get(status="quarantined")
    assert [(e["field"], e["value"]) for e in bad.errors] == [("site", "BCP-DIBOLI")]


@pytest.mark.django_db
def test_second_assessment_of_a_point_on_the_same_day_is_refused(im):
    import_rows("poe_capacity", [row("BCP-GOGUI", "2020-03-30", data_tool="yes")], user=im)
    record = import_rows(
        "poe_capacity", [row("BCP-GOGUI", "2020-03-30", data_tool="no")], user=im, name="b.csv"
    )
    assert record.rows_quarantined == 1
    assert CapacityAssessment.objects.get().data_tool == "yes"


@pytest.mark.django_db
def test_edited_submission_updates_the_same_assessment(im):
    from hbmm.intake.process import submissions_process
    from hbmm.intake.receive import submission_receive

    def send(instance_id, answer, deprecated_id=""):
        data = {"site": "BCP-SONA", "assessed_on": "2020-04-01", "isolation_space": answer}
        received = submission_receive(
            channel="openrosa",
            form_id="poe_capacity",
            instance_id=instance_id,
            deprecated_id=deprecated_id,
            payload=str(data),
            payload_format="xml",
            data=data,
            submitter=im,
        )
        submissions_process([received.submission])

    send("uuid:1", "no")
    first = CapacityAssessment.objects.get()
    send("uuid:2", "yes", deprecated_id="uuid:1")
    edited = CapacityAssessment.objects.get()
    assert edited.pk == first.pk and edited.isolation_space == "yes"
    assert edited.submission.instance_id == "uuid:2"
