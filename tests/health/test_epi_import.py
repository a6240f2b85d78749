"""The real COVID-19 series for Mali, imported through the intake pipeline in the three
formats, gives the plan's figures as of 15 May 2020: 806 confirmed, 455 recovered, 46 deaths."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from hbmm.accounts.scope import user_scope
from hbmm.health import reference
from hbmm.health.epi.selectors import epi_figures, epi_neighbours, epi_series
from hbmm.health.models import EpiSource, EpiValue
from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.models import AdminArea

MAY_15 = dt.date(2020, 5, 15)


@pytest.fixture
def national(make_user):
    return make_user("surveillance_officer", areas=["MLI"])


def _figures(user, source=None):
    figures = epi_figures(scope=user_scope(user), as_of=MAY_15, source=source)
    return figures.confirmed.value, figures.recovered.value, figures.deaths.value


@pytest.mark.django_db
def test_shipped_series_loads_through_the_pipeline_and_gives_the_plan_figures(national):
    out = io.StringIO()
    reference.load(out)
    record = ImportFile.objects.get(kind="epi_countries_aggregated")
    assert (record.status, record.rows_read, record.rows_accepted) == ("done", 345, 345)
    assert record.rows_quarantined == 0 and not record.is_demo
    assert _figures(national) == (806, 455, 46)
    figures = epi_figures(scope=user_scope(national), as_of=MAY_15)
    assert figures.active == 806 - 455 - 46 == 305
    assert figures.new_cases == 27  # 806 - 779 on 14 May
    assert figures.average_7d == Decimal("19.7")  # (806 - 668 on 8 May) / 7 = 19.71
    assert figures.source == EpiSource.COUNTRIES_AGGREGATED
    assert figures.confirmed.reported_on == MAY_15
    # each value knows the submission (file row) it comes from
    value = EpiValue.objects.get(day=MAY_15, metric="confirmed")
    assert value.submission.row_number == 116 and value.submission.source_file == record
    # loading again (every `make run`) imports nothing new
    reference.load(out)
    assert ImportFile.objects.filter(kind="epi_countries_aggregated").count() == 1
    assert EpiValue.objects.count() == 345 * 3


@pytest.mark.django_db
def test_long_format_file_upload(national):
    from tests.health.epi_helpers import long_file, real_rows

    rows = real_rows(until=dt.date(2020, 5, 31))
    other = {"Date": "2020-05-15", "Country": "Niger", "Confirmed": "889", "Recovered": "0"}
    other["Deaths"] = "0"
    record = file_import(
        kind="epi_countries_aggregated",
        source=long_file(rows, [other]),
        original_name="countries-aggregated.csv",
        uploaded_by=national,
    )
    assert record.status == "done" and record.rows_accepted == len(rows)
    assert record.rows_read == len(rows)  # the Niger row was not asked for
    assert _figures(national) == (806, 455, 46)
    assert not EpiValue.objects.filter(area__pcode="NER").exists()


@pytest.mark.django_db
def test_jhu_wide_files_reshaped_with_neighbours(national):
    from tests.health.epi_helpers import real_rows, wide_file

    rows = real_rows(until=MAY_15)
    for metric in ("confirmed", "recovered", "deaths"):
        record = file_import(
            kind=f"epi_jhu_{metric}",
            source=wide_file(rows, metric, others={"Cote d'Ivoire": 1857}),
            original_name=f"time_series_covid19_{metric}_global.csv",
            uploaded_by=national,
            options={"neighbours": True},
        )
        assert record.status == "done", record.error
        # Mali and the neighbour, one row per date; Canada's province is not taken
        assert record.rows_read == 2 * len(rows)
        assert record.rows_accepted == 2 * len(rows)
    assert _figures(national, EpiSource.JHU_CSSE) == (806, 455, 46)
    mali = Submission.objects.filter(form_id="epi_jhu_confirmed", data__date="2020-05-15")
    assert mali.filter(data__confirmed="806").count() == 1
    niger = {
        f.area.pcode: f.confirmed.value
        for f in epi_neighbours(scope=user_scope(national), as_of=MAY_15)
    }
    assert niger == {"CIV": 1857}


@pytest.mark.django_db
def test_daily_bulletin_entry_and_regional_series(national, make_user):
    def bulletin(instance, data, submitter=national):
        received = submission_receive(
            channel="web",
            form_id="epi_bulletin",
            instance_id=instance,
            payload=str(data),
            payload_format="json",
            data=data,
            submitter=submitter,
        )
        submissions_process([received.submission])
        received.submission.refresh_from_db()
        return received.submission

    sub = bulletin(
        "b1",
        {
            "bulletin_date": "15/05/2020",
            "confirmed": "806",
            "recovered": "455",
            "deaths": "46",
            "tests": "9840",
        },
    )
    assert sub.status == "accepted", sub.errors
    bulletin("b2", {"bulletin_date": "2020-05-15", "area": "ML09", "confirmed": "512"})
    figures = epi_figures(scope=user_scope(national), as_of=MAY_15)
    assert figures.source == EpiSource.MINISTRY
    assert (figures.confirmed.value, figures.tests.value) == (806, 9840)
    bamako = epi_series(scope=user_scope(national), area=AdminArea.objects.get(pcode="ML09"))
    assert [(d.day, d.confirmed) for d in bamako.days] == [(MAY_15, 512)]
    kayes_officer = make_user("surveillance_officer", areas=["ML01"])
    # a regional officer sees the national series (published) but not Bamako's
    assert epi_figures(scope=user_scope(kayes_officer), as_of=MAY_15).confirmed.value == 806
    from hbmm.health.epi.selectors import epi_regions

    assert [a.pcode for a in epi_regions(scope=user_scope(national))] == ["ML09"]
    assert epi_regions(scope=user_scope(kayes_officer)) == []
    refused = bulletin(
        "b3", {"bulletin_date": "2020-05-16", "area": "ML09", "confirmed": "1"}, kayes_officer
    )
    assert refused.status == "quarantined"
    assert [(e["field"], e["value"]) for e in refused.errors] == [("area", "ML09")]
    assert not EpiValue.objects.filter(day=dt.date(2020, 5, 16)).exists()
