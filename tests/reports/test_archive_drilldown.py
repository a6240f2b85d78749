"""The drill-down of a published figure that changed, beyond flow counts: screenings entered
after publication, and signals changed in place after it (a verification: an audited step),
each found through the scope's cut (`changed_after`); and the note of a report reproduced as
known before an edit, which says how many submissions were edited after."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from hbmm.health.ebs.services import (
    focal_point_register,
    signal_create,
    signal_triage,
    signal_verify,
)
from hbmm.health.screening.services import screening_create
from hbmm.places.models import AdminArea, Site
from hbmm.presentation.tables import get_table
from hbmm.reports.archive.selectors import changed_records, report_changes
from hbmm.reports.archive.services import report_archive, report_publish
from tests.mobility.conftest import submit  # noqa: F401 -- the real intake pipeline

AS_OF = dt.date(2020, 4, 20)
WHEN = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def screen(age=27):
    return screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"),
        screened_at=WHEN,
        temperature=36.8,
        symptoms=[],
        sex="female",
        age=age,
    )


def _rows(key, rows):
    keys = [c.key for c in get_table(key).columns]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def test_screenings_and_signals_drill_down_to_what_changed(reference, make_user):
    admin = make_user(None, areas=["MLI"], is_superuser=True)
    screen()
    screen()
    reporter = focal_point_register(
        key="CFP-1", name="Focal point", area=AdminArea.objects.get(pcode="ML0103")
    )
    signal = signal_create(
        reporter=reporter,
        reported_at=WHEN,
        kind="unexplained_deaths",
        area=reporter.area,
        people_affected=3,
    )
    signal_triage(signal=signal, by=admin, decision="verify", at=WHEN + dt.timedelta(hours=1))
    report = report_publish(by=admin, as_of=AS_OF, languages=("en",))
    report_archive(report=report, reader=admin)
    published = {f.key: f.value for f in report.figures.all()}
    assert published["screening.screened"] == Decimal(2)
    assert published["ebs.verified_24h"] == Decimal(0)

    late = screen(age=70)
    signal_verify(signal=signal, by=admin, is_true=True, at=WHEN + dt.timedelta(hours=3))

    changes = {c.figure.key: c for c in report_changes(user=admin, report=report)}
    screened = changes["screening.screened"]
    assert (screened.live, screened.difference, screened.records) == (3, 1, 1)
    rows = _rows(
        "health.screenings", changed_records(user=admin, report=report, figure=screened.figure)
    )
    assert [(r["screened_at"], r["age_group"]) for r in rows] == [(WHEN, late.age_group)]
    assert late.age_group != "adult"  # the two known before are adults: the late one is told apart
    verified = changes["ebs.verified_24h"]
    assert (verified.live, verified.difference, verified.records) == (1, 1, 1)
    rows = _rows(
        "health.signals", changed_records(user=admin, report=report, figure=verified.figure)
    )
    assert [(r["status"], r["verified_at"]) for r in rows] == [
        ("verified", WHEN + dt.timedelta(hours=3))
    ]


def test_an_edit_after_the_moment_is_said_not_mixed(reference, submit):  # noqa: F811
    first = submit(
        "flow_count",
        {
            "observation_date": "2020-04-01",
            "site": "BCP-KOUREMALE",
            "direction": "incoming",
            "total": 60,
        },
    )
    moment = dt.datetime.now(dt.UTC)
    edit = submit(
        "flow_count",
        {
            "observation_date": "2020-04-01",
            "site": "BCP-KOUREMALE",
            "direction": "incoming",
            "total": 65,
        },
        deprecated_id=first.instance_id,
    )
    assert edit.status == "accepted"
    out = io.StringIO()
    call_command(
        "sitrep",
        "--as-of",
        "2020-04-30",
        "--lang",
        "en",
        "--format",
        "md",
        "--as-known-on",
        moment.isoformat(),
        stdout=out,
    )
    text = out.getvalue()
    assert (
        "1 submission known then was edited or corrected after that moment: its earlier "
        "version is not kept, so its records are left out." in text
    )


def test_displacement_drills_down_through_its_submission(reference, submit, make_user):  # noqa: F811
    """Displacement figures carry no entry time of their own: their submission's acceptance
    is when they became known (an edit or a correction is accepted again)."""
    base = {"round": 3, "date": "31/03/2020", "pcode": "ML0501", "individus": 100}
    assert submit("displacement", base).status == "accepted"
    admin = make_user(None, areas=["MLI"], is_superuser=True)
    report = report_publish(by=admin, as_of=dt.date(2020, 4, 30), languages=("en",))
    report_archive(report=report, reader=admin)
    late = submit("displacement", {**base, "pcode": "ML0502", "individus": 50})
    assert late.status == "accepted"

    change = {c.figure.key: c for c in report_changes(user=admin, report=report)}["mobility.idps"]
    assert (change.figure.value, change.live, change.records) == (100, 150, 1)
    rows = _rows(
        "mobility.displacement", changed_records(user=admin, report=report, figure=change.figure)
    )
    assert [(r["submission_id"], r["total"]) for r in rows] == [(late.pk, 50)]
