"""The set-based path of file imports (intake.bulk), with mobility's real flow_count
mapper: a constant number of queries per batch, each row's outcome stored with it, the values
written as the domain types them, and the row-by-row fallback when a batch save fails."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile, Submission
from hbmm.mobility.models import FlowCount

HEADER = "Date;Site;Sens;Hommes;Femmes;Garçons;Filles;Nationalité;Motif;Heures\n"


def registry(rows: int, *, bad_every: int = 0, first_day=dt.date(2020, 1, 1)) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        day = first_day + dt.timedelta(days=n % 90)
        site = "BCP-NOWHERE" if bad_every and n % bad_every == 0 else "BCP-GOGUI"
        lines.append(f"{day:%d/%m/%Y};{site};entrant;{n};2;1;1;GIN;économique;12,5\n")
    return "".join(lines).encode("utf-8")


def imported(content: bytes, name: str = "registre.csv", **kwargs) -> ImportFile:
    return file_import(kind="flow_count", source=io.BytesIO(content), original_name=name, **kwargs)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def queries_for(rows: int, first_day: dt.date) -> int:
    content = registry(rows, bad_every=7, first_day=first_day)
    with CaptureQueriesContext(connection) as captured:
        record = imported(content, name=f"registre-{rows}.csv", batch_size=500)
    assert (record.rows_read, record.rows_duplicate) == (rows, 0)
    return len(captured)


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_for_10_rows_as_for_400(reference, media):
    imported(registry(1, first_day=dt.date(2019, 1, 1)))  # the mapper's site list is built
    few = queries_for(10, dt.date(2019, 6, 1))
    many = queries_for(400, dt.date(2020, 1, 1))
    assert many == few, f"{few} queries for 10 rows, {many} for 400: a query per row?"
    # Importing a file again costs no query per row either (its batch first tries the insert,
    # which finds the rows received, then looks them up).
    again = []
    for rows, first_day in ((10, dt.date(2019, 6, 1)), (400, dt.date(2020, 1, 1))):
        content = registry(rows, bad_every=7, first_day=first_day)
        with CaptureQueriesContext(connection) as captured:
            record = imported(content, name="copie.csv", batch_size=500)
        assert (record.rows_duplicate, record.rows_accepted) == (rows, 0)
        again.append(len(captured))
    assert again[0] == again[1], f"{again[0]} queries for 10 rows again, {again[1]} for 400"


@pytest.mark.django_db
def test_each_row_is_stored_with_its_outcome_and_typed_values(reference, media):
    record = imported(registry(14, bad_every=7))
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (14, 12, 2)
    rows = Submission.objects.filter(source_file=record)
    bad = rows.filter(status=Submission.Status.QUARANTINED).order_by("row_number")
    assert [s.row_number for s in bad] == [2, 9]
    assert all(not s.is_current and s.site is None for s in bad)
    assert bad[0].errors == [
        {"field": "site", "value": "BCP-NOWHERE", "message": "Code de site inconnu."}
    ]
    good = rows.get(row_number=3)
    assert good.status == Submission.Status.ACCEPTED and good.is_current
    assert good.site.code == "BCP-GOGUI" and good.processed_at is not None
    assert good.data["Site"] == "BCP-GOGUI" and good.payload.startswith('{"Date": "02/01/2020"')
    count = FlowCount.objects.get(submission=good)
    assert (count.observation_date, count.direction, count.total) == (
        dt.date(2020, 1, 2),
        "incoming",
        5,
    )
    assert (count.men, count.women, count.boys, count.girls) == (1, 2, 1, 1)
    assert (count.nationality, count.reason) == ("GIN", "economic")
    assert count.observation_hours == Decimal("12.5")
    assert count.reason_counts == {} and count.entered_at is not None


@pytest.mark.django_db
def test_a_batch_the_domain_refuses_falls_back_to_row_by_row(reference, media, monkeypatch):
    """A check only the domain service makes (here: the site's kinds, changed after the
    batch's lookups were read) fails the set-based save; the batch is then processed row by
    row, and only the rows at fault are quarantined."""
    from hbmm.intake.mappers import get_mapper
    from hbmm.places.models import Site, SiteKind

    content = registry(6).replace(b"BCP-GOGUI", b"BCP-DIBOLI", 2)
    mapper = get_mapper("flow_count")
    save = mapper.save

    def save_after_a_registry_edit(items):
        # The registry is edited between the cleaning of the batch and its save: the rows
        # were checked against lookups that still said DIBOLI is a flow monitoring point.
        Site.objects.get(code="BCP-DIBOLI").kinds.remove(SiteKind.objects.get(code="fmp"))
        save(items)

    monkeypatch.setattr(mapper, "save", save_after_a_registry_edit)
    record = imported(content)
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (6, 4, 2)
    refused = Submission.objects.filter(source_file=record, status="quarantined")
    assert {s.site.code for s in refused} == {"BCP-DIBOLI"}
    assert all(e["field"] == "site" for s in refused for e in s.errors)
    assert FlowCount.objects.count() == 4
    assert Submission.objects.filter(source_file=record).count() == 6


@pytest.mark.django_db
def test_reimport_counts_rows_received_and_keeps_a_changed_row_as_conflict(reference, media):
    first = imported(
        b"instance_id;" + HEADER.encode() + b"uuid:1;01/02/2020;BCP-GOGUI;entrant;1;1;1;1;GIN;;\n"
    )
    assert first.rows_accepted == 1
    changed = (
        b"instance_id;" + HEADER.encode() + b"uuid:1;01/02/2020;BCP-GOGUI;entrant;9;1;1;1;GIN;;\n"
    )
    second = imported(changed, name="corrige.csv")
    assert (second.rows_read, second.rows_duplicate, second.rows_accepted) == (1, 1, 0)
    copies = Submission.objects.filter(instance_id="uuid:1").order_by("pk")
    assert [c.status for c in copies] == ["accepted", "conflict"]
    assert FlowCount.objects.get().men == 1


def _interrupted_after_one_batch(content: bytes) -> ImportFile:
    """A file whose run stopped after its first batch, as a killed process leaves it."""
    from hbmm.intake.bulk import batches_import
    from hbmm.intake.channels.files import import_file_store

    record = import_file_store(kind="flow_count", source=io.BytesIO(content), original_name="r.csv")
    record.status = ImportFile.Status.RUNNING
    record.save()
    next(batches_import(record, batch_size=4, options={}))
    ImportFile.objects.filter(pk=record.pk).update(
        heartbeat_at=timezone.now() - ImportFile.INTERRUPTED_AFTER - dt.timedelta(seconds=1)
    )
    return ImportFile.objects.get(pk=record.pk)


@pytest.mark.django_db
def test_an_import_stopped_half_way_is_shown_interrupted_and_resumed(reference, media):
    from django.core.management import call_command

    from hbmm.intake.channels.files import import_file_store
    from hbmm.intake.selectors import import_files_interrupted

    running = imported(registry(3, first_day=dt.date(2019, 1, 1)), name="en-cours.csv")
    ImportFile.objects.filter(pk=running.pk).update(status="running", heartbeat_at=timezone.now())
    record = _interrupted_after_one_batch(registry(10))
    assert record.rows_read == 4 and record.is_interrupted
    never_run = import_file_store(
        kind="flow_count",
        source=io.BytesIO(registry(2, first_day=dt.date(2018, 1, 1))),
        original_name="jamais.csv",
    )
    ImportFile.objects.filter(pk=never_run.pk).update(uploaded_at=record.heartbeat_at)
    # Not the one still making progress; the one whose run never started, too.
    assert set(import_files_interrupted()) == {record, never_run}
    assert record.status_label() == "interrupted"

    out = io.StringIO()
    call_command("import", resume=True, no_progress=True, stdout=out)
    assert "r.csv: 10 rows read, 10 accepted, 0 quarantined, 0 already received" in out.getvalue()
    assert "jamais.csv: 2 rows read, 2 accepted" in out.getvalue()
    record.refresh_from_db()
    assert record.status == ImportFile.Status.DONE and not record.is_interrupted
    assert FlowCount.objects.filter(submission__source_file=record).count() == 10
    out = io.StringIO()
    call_command("import", resume=True, stdout=out)
    assert "no interrupted import" in out.getvalue()


@pytest.mark.django_db
def test_the_import_page_says_an_import_was_interrupted(reference, media, make_user, client):
    record = _interrupted_after_one_batch(registry(10))
    client.force_login(make_user("im_officer", areas=["MLI"]))
    page = client.get(reverse("intake:import", args=[record.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert "Cet import s’est arrêté" in text and 'data-status="interrupted"' in text
    progress = client.get(reverse("intake:import-progress", args=[record.pk])).json()
    assert progress["interrupted"] is True and progress["rows_read"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [4, 6])
def test_rows_received_before_amid_new_ones_are_counted_once(reference, media, batch_size):
    """A batch of new rows is inserted without looking its rows up; when one was received
    before, the insert fails on the unique instance id, and the batch is done again looked
    up: nothing is stored twice, each row is counted once, the summary follows."""
    from hbmm.mobility.summaries import flow_summaries_drift

    old = registry(8)
    imported(old, name="avant.csv")
    new = registry(8, first_day=dt.date(2021, 1, 1)).split(b"\n", 1)[1].splitlines(True)
    content = b"".join([HEADER.encode(), *new[:4], old.split(b"\n", 1)[1], *new[4:]])
    record = imported(content, name="melange.csv", batch_size=batch_size)
    assert (record.rows_read, record.rows_accepted, record.rows_duplicate) == (16, 8, 8)
    assert Submission.objects.filter(source_file=record).count() == 8
    assert FlowCount.objects.count() == 16
    assert flow_summaries_drift() == []
