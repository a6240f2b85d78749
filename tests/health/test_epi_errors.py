"""Corrections are kept and flagged; bad files fail with errors naming the field and row."""

import datetime as dt

import pytest

from hbmm.accounts.scope import user_scope
from hbmm.health.epi.selectors import epi_figures, epi_series
from hbmm.health.models import EpiValue
from hbmm.intake.channels.files import file_import
from hbmm.intake.models import Submission
from tests.health.epi_helpers import long_file, real_rows, wide_file


@pytest.fixture
def national(make_user):
    return make_user("surveillance_officer", areas=["MLI"])


def _row(day, confirmed, recovered="0", deaths="0", country="Mali"):
    return {
        "Date": day,
        "Country": country,
        "Confirmed": confirmed,
        "Recovered": recovered,
        "Deaths": deaths,
    }


@pytest.mark.django_db
def test_decreasing_cumulative_value_is_kept_and_flagged(national):
    rows = [
        _row("2020-04-01", "28"),
        _row("2020-04-02", "36", deaths="3"),
        _row("2020-04-03", "34", deaths="3"),  # revised down by the source
        _row("2020-04-04", "39", deaths="2"),
    ]
    file_import(
        kind="epi_countries_aggregated",
        source=long_file(rows),
        original_name="c.csv",
        uploaded_by=national,
    )
    series = epi_series(scope=user_scope(national))
    assert [d.confirmed for d in series.days] == [28, 36, 34, 39]  # kept as reported
    assert [d.new_cases for d in series.days] == [None, 8, -2, 5]
    assert [d.corrections for d in series.days] == [[], [], ["confirmed"], ["deaths"]]
    assert [(c.day.day, c.metric, c.value, c.previous) for c in series.corrections] == [
        (3, "confirmed", 34, 36),
        (4, "deaths", 2, 3),
    ]
    figures = epi_figures(scope=user_scope(national), as_of=dt.date(2020, 4, 3))
    assert figures.confirmed.value == 34 and len(figures.corrections) == 1


@pytest.mark.django_db
def test_date_that_does_not_parse_quarantines_its_row(national):
    rows = [_row("2020-04-01", "28"), _row("2020-13-45", "30"), _row("2020-04-03", "31")]
    record = file_import(
        kind="epi_countries_aggregated",
        source=long_file(rows),
        original_name="c.csv",
        uploaded_by=national,
    )
    assert (record.rows_accepted, record.rows_quarantined) == (2, 1)
    bad = Submission.objects.get(status="quarantined")
    assert bad.row_number == 3
    assert [(e["field"], e["value"]) for e in bad.errors] == [("date", "2020-13-45")]
    assert EpiValue.objects.filter(metric="confirmed").count() == 2


@pytest.mark.django_db
def test_wide_date_column_that_does_not_parse_fails_the_file(national):
    rows = real_rows(until=dt.date(2020, 3, 31))
    content = wide_file(rows, "confirmed").getvalue().replace(b"3/31/20", b"3/32/20")
    import io

    record = file_import(
        kind="epi_jhu_confirmed",
        source=io.BytesIO(content),
        original_name="time_series_covid19_confirmed_global.csv",
        uploaded_by=national,
    )
    assert record.status == "failed"
    assert record.error == "row 1, column 74 ('3/32/20'): not a date written m/d/yy"
    assert not Submission.objects.exists() and not EpiValue.objects.exists()


@pytest.mark.django_db
def test_country_not_in_the_file(national):
    record = file_import(
        kind="epi_countries_aggregated",
        source=long_file([_row("2020-04-01", "5", country="Niger")]),
        original_name="c.csv",
        uploaded_by=national,
    )
    assert record.status == "failed"
    assert record.error == "country not in the file (column Country): MLI"
    assert not Submission.objects.exists()
    # a country asked for explicitly must be there too
    record = file_import(
        kind="epi_countries_aggregated",
        source=long_file([_row("2020-04-01", "5"), _row("2020-04-01", "9", country="Niger")]),
        original_name="c2.csv",
        uploaded_by=national,
        options={"countries": ["MLI", "SEN"]},
    )
    assert (record.status, record.error) == (
        "failed",
        "country not in the file (column Country): SEN",
    )


@pytest.mark.django_db
def test_negative_and_non_numeric_values_are_quarantined_with_reasons(national):
    rows = [_row("2020-04-01", "-3"), _row("2020-04-02", "many", recovered="x")]
    file_import(
        kind="epi_countries_aggregated",
        source=long_file(rows),
        original_name="c.csv",
        uploaded_by=national,
    )
    reasons = {
        s.row_number: [(e["field"], e["value"]) for e in s.errors]
        for s in Submission.objects.filter(status="quarantined")
    }
    assert reasons == {2: [("confirmed", "-3")], 3: [("confirmed", "many"), ("recovered", "x")]}
    assert not EpiValue.objects.exists()


@pytest.mark.django_db
def test_revised_value_is_stored_and_audited(national):
    from hbmm.accounts.models import AuditEvent

    file_import(
        kind="epi_countries_aggregated",
        source=long_file([_row("2020-04-01", "28"), _row("2020-04-02", "36")]),
        original_name="a.csv",
        uploaded_by=national,
    )
    file_import(
        kind="epi_countries_aggregated",
        source=long_file([_row("2020-04-02", "35")]),  # the source revised 2 April
        original_name="b.csv",
        uploaded_by=national,
    )
    assert EpiValue.objects.get(day=dt.date(2020, 4, 2), metric="confirmed").value == 35
    event = AuditEvent.objects.get(action="data_change", target="health.epivalue")
    assert event.details["revised"] == 1 and event.actor == national
    change = event.details["changes"][0]
    assert (change["day"], change["metric"], change["old"], change["new"]) == (
        "2020-04-02",
        "confirmed",
        36,
        35,
    )
