"""The flow counts' month summary (`FlowMonthSummary`) agrees with the records after every kind
of write (import, edit, correction, reprocessing, deletion), the figures read it and give what
the records give, and `hbmm summaries` reports drift and rebuilds."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from hbmm.accounts.scope import EVERYTHING, user_scope
from hbmm.intake.channels.files import file_import
from hbmm.intake.review import submission_correct, submission_reprocess
from hbmm.mobility import selectors
from hbmm.mobility.models import FlowCount, FlowMonthSummary
from hbmm.mobility.services import flow_counts_save
from hbmm.mobility.summaries import flow_summaries_drift
from hbmm.places.services import site_registry_import
from tests.mobility.conftest import flow
from tests.mobility.test_mappers import MESSY


def summary() -> dict:
    """{(site code, month): (individuals, incoming, outgoing, internal, records, days)}."""
    return {
        (s.site.code, s.month.isoformat()[:7]): (
            s.individuals,
            s.incoming,
            s.outgoing,
            s.internal,
            s.records,
            sorted(d + 1 for d in range(31) if s.days_mask >> d & 1),
        )
        for s in FlowMonthSummary.objects.select_related("site")
    }


@pytest.mark.django_db
def test_the_summary_follows_every_write_of_flow_counts(
    submit, mobility_sites, make_user, settings, tmp_path
):
    first = submit(
        "flow_count", flow("2020-03-31", "BCP-GOGUI", "in", 1, 1, 1, 1), instance_id="uuid:a-1"
    )
    submit("flow_count", flow("2020-04-01", "BCP-GOGUI", "out", 2, 2, 2, 2))
    submit("flow_count", flow("2020-04-15", "BCP-GOGUI", "internal", 3, 3, 3, 3))
    assert first.status == "accepted"
    assert summary() == {
        ("BCP-GOGUI", "2020-03"): (4, 4, 0, 0, 1, [31]),
        ("BCP-GOGUI", "2020-04"): (20, 0, 8, 12, 2, [1, 15]),
    }
    # An edit moving the count into April: March's row goes, April's takes it.
    submit(
        "flow_count",
        flow("2020-04-02", "BCP-GOGUI", "in", 5, 5, 5, 5),
        instance_id="uuid:a-2",
        deprecated_id="uuid:a-1",
    )
    assert summary() == {("BCP-GOGUI", "2020-04"): (40, 20, 8, 12, 3, [1, 2, 15])}
    # A correction: a count quarantined (parts add up to 4, total 5), corrected by a reviewer.
    bad = submit("flow_count", {**flow("2020-05-03", "BCP-GOGUI", "in", 1, 1, 1, 1), "total": 5})
    assert bad.status == "quarantined"
    officer = make_user("im_officer", areas=["MLI"])
    assert submission_correct(submission=bad, changes={"total": "4"}, by=officer).status == (
        "accepted"
    )
    assert summary()[("BCP-GOGUI", "2020-05")] == (4, 4, 0, 0, 1, [3])
    # Reprocessing: a count at a point not registered yet, reprocessed once it is.
    early = submit("flow_count", flow("2020-05-04", "FMP-NEW", "out", 0, 1, 0, 1))
    assert early.status == "quarantined"
    site_registry_import(
        rows=[(2, {"code": "FMP-NEW", "name_fr": "Nouveau", "kinds": "fmp", "pcode": "ML0103"})]
    )
    assert submission_reprocess(submission=early, by=officer).status == "accepted"
    assert summary()[("FMP-NEW", "2020-05")] == (2, 0, 2, 0, 1, [4])
    # A deletion: a record replaced by nothing.
    flow_counts_save(rows=[], replace=list(FlowCount.objects.filter(site__code="FMP-NEW")))
    assert ("FMP-NEW", "2020-05") not in summary()
    # A file import (three rows accepted, three quarantined).
    settings.MEDIA_ROOT = tmp_path
    file_import(kind="flow_count", source=io.BytesIO(MESSY.encode()), original_name="avril.csv")
    assert summary()[("BCP-KOUREMALE", "2020-04")][0] == 20
    assert flow_summaries_drift() == []


@pytest.mark.django_db
def test_totals_over_whole_and_partial_months_are_the_records(submit, mobility_sites):
    days = [("2020-02-29", 4), ("2020-03-01", 1), ("2020-03-31", 2), ("2020-04-30", 3)]
    for day, n in days:
        submit("flow_count", flow(day, "BCP-GOGUI", "in", n, 0, 0, 0))
        submit("flow_count", flow(day, "BCP-KOUREMALE", "out", 0, n, 0, 0))
    for start, end, individuals, days_observed in (
        ("2020-02-29", "2020-04-30", 20, 4),  # a day of February, whole March and April
        ("2020-03-01", "2020-03-31", 6, 2),  # a whole month: from the summary only
        ("2020-03-02", "2020-04-30", 10, 2),  # March without its first day, then April
        ("2020-03-01", "2020-03-30", 2, 1),  # no whole month: records only
    ):
        totals = selectors.flow_totals(
            scope=EVERYTHING, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end)
        )
        assert (
            totals.individuals,
            totals.incoming,
            totals.outgoing,
            totals.days_observed,
            totals.counts,
            totals.points,
        ) == (individuals, individuals // 2, individuals // 2, days_observed, 2 * days_observed, 2)


@pytest.mark.django_db
def test_the_summary_is_read_in_the_readers_scope(submit, mobility_sites, make_user):
    submit("flow_count", flow("2020-03-10", "BCP-GOGUI", "in", 1, 0, 0, 0))  # Kayes (ML01)
    submit("flow_count", flow("2020-03-10", "BCP-KOUREMALE", "in", 0, 7, 0, 0))  # Koulikoro
    kayes = user_scope(make_user("enumerator", areas=["ML01"]))
    totals = selectors.flow_totals(scope=kayes, start=dt.date(2020, 3, 1), end=dt.date(2020, 3, 31))
    assert (totals.individuals, totals.points) == (1, 1)


@pytest.mark.django_db
def test_the_command_reports_drift_and_rebuilds(submit, mobility_sites, capsys):
    submit("flow_count", flow("2020-03-10", "BCP-GOGUI", "in", 1, 1, 1, 1))
    call_command("summaries")
    assert "agrees with the records" in capsys.readouterr().out
    FlowMonthSummary.objects.update(individuals=99)
    with pytest.raises(CommandError, match="1 rows differ"):
        call_command("summaries", "--check")
    assert "stored" in capsys.readouterr().err
    call_command("summaries", "--rebuild")
    assert "agrees with the records" in capsys.readouterr().out
    assert summary() == {("BCP-GOGUI", "2020-03"): (4, 4, 0, 0, 1, [10])}


@pytest.mark.django_db
def test_a_time_cut_reads_the_records_not_the_summary(submit, mobility_sites):
    """The summary holds the present: a report reproduced as HBMM knew it on a past moment
    counts the records entered by then."""
    submit("flow_count", flow("2020-03-10", "BCP-GOGUI", "in", 1, 1, 1, 1))
    known = FlowCount.objects.get().entered_at
    submit("flow_count", flow("2020-03-11", "BCP-GOGUI", "in", 2, 2, 2, 2))
    FlowCount.objects.filter(observation_date=dt.date(2020, 3, 11)).update(
        entered_at=known + dt.timedelta(hours=1)
    )
    march = {"start": dt.date(2020, 3, 1), "end": dt.date(2020, 3, 31)}
    assert selectors.flow_totals(scope=EVERYTHING, **march).individuals == 12
    then = selectors.flow_totals(scope=EVERYTHING.as_known_on(known), **march)
    assert (then.individuals, then.days_observed) == (4, 1)
