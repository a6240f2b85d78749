"""The demo data: generated once (fixed seed), imported through the real pipeline, and the
plan's numbers computed by the figures from the records it produced."""

import datetime as dt
import io

import pytest
from django.db.models import Max, Min

from hbmm.accounts.scope import user_scope
from hbmm.intake.models import ImportFile, Submission
from hbmm.mobility import demo, figures, selectors
from hbmm.mobility.models import FlowCount
from hbmm.reports.registry import Context
from hbmm.reports.sections import mobility as mobility_section
from hbmm.tabular import read_rows

D = dt.date


def test_generator_is_deterministic_and_writes_raw_files():
    first, second = demo.generate(), demo.generate()
    assert [(k, n) for k, n, _d in first] == [(k, n) for k, n, _d in second]
    for (_k, name, a), (_k2, _n2, b) in zip(first, second, strict=True):
        if name.endswith(".csv"):
            assert a == b, name
        else:  # XLSX bytes carry timestamps; their rows are the same
            rows = [list(read_rows(io.BytesIO(x), filename=name)) for x in (a, b)]
            assert rows[0] == rows[1] and len(rows[0]) > 100
    files = {name: data for _kind, name, data in first}
    french = files["demo-fmp-2016-2017-fr.csv"]
    assert french.startswith("\ufeffDate;Point de suivi;Sens du flux".encode())
    assert b";Entrant;" in french and b"/06/2016;" in french
    assert files["demo-fmp-2018-2019-wca.csv"].startswith(b"date,fmp,from,to,n,")
    assert files["demo-fmp-2020.xlsx"][:4] == b"PK\x03\x04"


def test_apportion_is_exact():
    assert demo.apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(demo.apportion(262_103, [0.3, 2.5, 1e-3, 7])) == 262_103


@pytest.mark.django_db
def test_demo_reproduces_the_plans_figures(reference, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HBMM_BORDER_CLOSURE_DATE = ""
    out = io.StringIO()
    demo.load(out)
    assert "quarantined" in out.getvalue() and " 0 quarantined" in out.getvalue()
    assert ImportFile.objects.filter(is_demo=True).count() == 7
    assert not Submission.objects.exclude(status="accepted").exists()
    assert not FlowCount.objects.filter(submission__is_demo=False).exists()
    user = make_user("viewer", areas=["MLI"])

    scope = user_scope(user)
    april = figures.flow_daily_average(scope=scope, month=D(2020, 4, 1))
    assert april.value == 347
    assert april.parts["change_percent"] == -7

    assert selectors.border_closure_date() == demo.CLOSURE
    closure = figures.flow_since_plan_start(scope=scope, end=demo.CLOSURE - dt.timedelta(days=1))
    assert closure.total.drilldown.params["start"] == "2016-06-01"
    assert closure.total.value == 262_103
    assert (closure.incoming.value, closure.outgoing.value) == (92_833, 169_270)
    assert closure.per_day.value == 344

    stranded = figures.stranded_first_week_of_closure(scope=scope, closure=demo.CLOSURE)
    assert stranded.value == 180

    idps = figures.idps_current(scope=scope, as_of=D(2020, 5, 15))
    assert (idps.value, idps.as_of) == (239_484, D(2020, 3, 31))

    returnees = figures.returnees_current(scope=scope, as_of=D(2020, 5, 15))
    assert returnees.total.value == demo.RETURNEES_MARCH_2020 == 8355
    assert (returnees.idp.value, returnees.abroad.value) == (4640, 3715)
    assert {f.key: f.value for f in returnees.abroad_origins} == {
        "mobility.returnees_abroad_from.NER": 2390,
        "mobility.returnees_abroad_from.DZA": 685,
        "mobility.returnees_abroad_from.BFA": 640,
    }
    assert [f.value for f in returnees.idp_origins] == [2155, 2105, 380]  # ML0505, ML0703, ML0501
    assert returnees.total.parts["areas"] == 3

    mrrc = figures.mrrc_present(scope=scope, as_of=D(2020, 5, 15))
    assert (mrrc.total.value, mrrc.women.value, mrrc.children.value) == (203, 41, 23)

    # The five key border posts and more points, from June 2016 to May 2020, with gaps.
    span = FlowCount.objects.aggregate(first=Min("observation_date"), last=Max("observation_date"))
    assert (span["first"], span["last"]) == (D(2016, 6, 1), D(2020, 5, 31))
    sites = set(FlowCount.objects.values_list("site__code", flat=True))
    assert {"BCP-KOUREMALE", "BCP-ZEGOUA", "BCP-SONA", "BCP-GOGUI", "BCP-DIBOLI"} < sites
    assert len(sites) == 9
    assert closure.total.parts["days_observed"] < closure.total.parts["days_in_period"]

    # The same figures, by key, in the situation overview of 15 May 2020.
    section = mobility_section.build(Context.of(user, as_of=D(2020, 5, 15)))
    assert {f.key: f.value for f in section.figures} == {
        "mobility.flow_average": 347,
        "mobility.flow_cumulative": 262_103,
        "mobility.flow_incoming": 92_833,
        "mobility.flow_outgoing": 169_270,
        "mobility.flow_per_day": 344,
        "mobility.stranded_first_week": 180,
        "mobility.idps": 239_484,
        "mobility.returnees": 8355,
        "mobility.idp_returnees": 4640,
        "mobility.returnees_abroad": 3715,
        "mobility.mrrc": 203,
        "mobility.mrrc_women": 41,
        "mobility.mrrc_children": 23,
    }
    before = {
        f.key: f for f in mobility_section.build(Context.of(user, as_of=D(2020, 3, 1))).figures
    }
    assert "mobility.stranded_first_week" not in before  # the borders were not closed yet
    assert before["mobility.flow_cumulative"].as_of == D(2020, 3, 1)
    assert before["mobility.idps"].value < 239_484

    # Idempotent: a second run imports nothing.
    rows = FlowCount.objects.count()
    again = io.StringIO()
    demo.load(again)
    assert "already loaded" in again.getvalue()
    assert FlowCount.objects.count() == rows
