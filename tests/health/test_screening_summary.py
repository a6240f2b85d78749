# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""The screenings' day summary (`ScreeningDay`) agrees with the records after every write
(one screening, a file import, an edit that moves a screening, a decision, each workflow step),
the figures read it and count what the records count, and `hbmm summaries` reports drift."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from hbmm.accounts.scope import EVERYTHING
from hbmm.health.screening.models import ScreeningDay
from hbmm.health.screening.selectors import screening_figures, screening_summary
from hbmm.health.screening.services import screening_decide, screening_update
from hbmm.health.screening.summaries import screening_days_drift
from hbmm.health.screening.workflow import (
    screening_isolate,
    screening_notify,
    screening_refer,
    screening_result,
    screening_sample,
)
from hbmm.places.models import Site
from tests.health.screening_fixtures import (  # noqa: F401
    T0,
    english,
    facilities,
    fever_cough,
    healthy,
    screen,
)
from tests.health.test_screening_import import ROWS, imported, media, screening_file, staff  # noqa: F401

H = dt.timedelta(hours=1)


def days() -> dict:
    """{(point code, day): (screened, with symptoms, suspect, isolated, notified, referred,
    sampled, positive)}."""
    return {
        (d.point.code, d.day.isoformat()): (
            d.screened,
            d.with_symptoms,
            d.suspect,
            d.isolated,
            d.notified,
            d.referred,
            d.sampled,
            d.positive,
        )
        for d in ScreeningDay.objects.select_related("point")
    }


@pytest.mark.django_db
def test_the_day_summary_follows_every_write_of_screenings(screen, facilities, staff, media):
    well = screen(**healthy())
    sick = screen(at=T0 + H, **fever_cough())
    assert days() == {("BCP-DIBOLI", "2020-04-14"): (2, 1, 1, 0, 0, 0, 0, 0)}
    screening_isolate(screening=sick, by=None, at=T0 + 2 * H)
    screening_notify(screening=sick, by=None, at=T0 + 2 * H, send_email=False)
    screening_refer(
        screening=sick, by=None, facility=facilities["hospital"], transport="ambulance",
        at=T0 + 3 * H,
    )  # fmt: skip
    screening_sample(screening=sick, by=None, lab=facilities["lab"], at=T0 + 4 * H)
    screening_result(screening=sick, by=None, result="positive", at=T0 + 30 * H)
    assert days() == {("BCP-DIBOLI", "2020-04-14"): (2, 1, 1, 1, 1, 1, 1, 1)}
    # An edit moving the healthy traveller to another point and day.
    screening_update(
        screening=well,
        by=None,
        point=Site.objects.get(code="BCP-GOGUI"),
        screened_at=T0 + 24 * H,
        notify=False,
        **healthy(),
    )
    assert days() == {
        ("BCP-DIBOLI", "2020-04-14"): (1, 1, 1, 1, 1, 1, 1, 1),
        ("BCP-GOGUI", "2020-04-15"): (1, 0, 0, 0, 0, 0, 0, 0),
    }
    # A decision: a traveller without symptoms made a suspect by the agent.
    other = screen(at=T0 + 25 * H, **healthy())
    screening_decide(screening=other, by=None, decision="suspect", reason="Vomiting", notify=False)
    assert days()[("BCP-DIBOLI", "2020-04-15")] == (1, 0, 1, 0, 0, 0, 0, 0)
    # A file import (four rows on two days at two points; one suspect notified).
    imported(screening_file(ROWS), by=staff["agent"])
    assert days()[("BCP-GOGUI", "2020-04-15")] == (2, 0, 0, 0, 0, 0, 0, 0)
    assert days()[("BCP-DIBOLI", "2020-04-14")][:3] == (3, 2, 2)
    assert screening_days_drift() == []


@pytest.mark.django_db
def test_figures_from_the_summary_count_the_records(screen):
    screen(**healthy())
    screen(at=T0 + H, **fever_cough())
    screen(code="BCP-GOGUI", at=T0 + 7 * 24 * H, **fever_cough())  # the next ISO week
    totals = screening_summary(scope=EVERYTHING, start=dt.date(2020, 4, 14), end=T0.date())
    assert (totals["screened"], totals["suspect"], totals["points"]) == (2, 1, 1)
    weekly = screening_figures(
        scope=EVERYTHING, start=dt.date(2020, 4, 1), end=dt.date(2020, 4, 30), by=("week",)
    )
    assert [(w["week"], w["screened"], w["suspect"]) for w in weekly] == [
        ("2020-W16", 2, 1),
        ("2020-W17", 1, 1),
    ]
    by_point = screening_figures(
        scope=EVERYTHING, start=dt.date(2020, 4, 1), end=dt.date(2020, 4, 30), by=("point",)
    )
    assert [(p["point"], p["screened"]) for p in by_point] == [("BCP-DIBOLI", 2), ("BCP-GOGUI", 1)]


@pytest.mark.django_db
def test_the_command_reports_screening_drift(screen, capsys):
    screen(**healthy())
    ScreeningDay.objects.update(screened=5)
    with pytest.raises(CommandError, match="1 rows differ"):
        call_command("summaries")
    assert "screening day summary: 1 rows differ" in capsys.readouterr().err
    call_command("summaries", "--rebuild")
    assert days() == {("BCP-DIBOLI", "2020-04-14"): (1, 0, 0, 0, 0, 0, 0, 0)}
