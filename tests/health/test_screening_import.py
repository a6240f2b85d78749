# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Screening files through the set-based import path: the same records as one screening at a
time (classification, person key, encrypted identifiers, audit, alerts), a row the service
refuses quarantined alone, and a constant number of queries per batch."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening.models import Screening
from hbmm.health.screening.services import screening_create
from hbmm.intake.channels.files import file_import
from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.parsing import alias_map, apply_aliases
from hbmm.places.lookups import Lookups
from tests.health.screening_fixtures import english  # noqa: F401

# French headers, as field offices send them (docs/imports-health.md).
HEADER = (
    "poste;date_heure;agent;nom;telephone;numero_document;sexe;age;nationalite;"
    "moyen_transport;pays_provenance;pays_visites;destination;contact_malade;temperature;"
    "symptomes;decision;raison"
)
ROWS = [
    # healthy, confirmed by the agent
    "BCP-DIBOLI;14/04/2020 08:30;Awa;Oumar Sidibé;+223 66 00 00 00;A 123;male;41;SEN;bus;"
    "SEN;SEN GMB;ML0901;non;36,6;;not_suspect;",
    # definition A (fever and cough, travelling): a suspect, notified
    "BCP-DIBOLI;14/04/2020 09:10;;Fatoumata Diarra;;P0099887;female;29;MLI;car;GIN;GIN;;"
    "non;38,6;cough;;",
    # definition B (a symptom and a sick contact), overridden with a reason
    "BCP-GOGUI;14/04/2020 10:00;;Moussa Keita;+22370000000;;male;63;MLI;on_foot;;;;oui;"
    "37,0;sore_throat;not_suspect;Known allergy, contact tested negative",
    # no identifier at all: a random person key
    "BCP-GOGUI;15/04/2020 07:45;;;;;unknown;;;;;;;;36,9;;;",
]


@pytest.fixture
def staff(make_user):
    return {
        "supervisor": make_user("poe_supervisor", areas=["ML01"], email="sup@example.org"),
        "district": make_user(
            "surveillance_officer", areas=["ML0103"], email="dso@example.org", language="en"
        ),
        "agent": make_user("poe_agent", areas=["ML01"], email="agent@example.org"),
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def screening_file(rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def imported(content: bytes, *, by=None, name="depistage.csv", **kwargs) -> ImportFile:
    return file_import(
        kind="screening",
        source=io.BytesIO(content),
        original_name=name,
        uploaded_by=by,
        **kwargs,
    )


def one_by_one(rows, agent) -> list[Screening]:
    """The same rows through screening_create, one screening at a time."""
    mapper = get_mapper("screening")
    aliases = alias_map(mapper.aliases)
    names = HEADER.split(";")
    lookups = Lookups()
    made = []
    for line in rows:
        data = apply_aliases(dict(zip(names, line.split(";"), strict=True)), aliases)
        values = mapper.clean(data, submitter=agent, lookups=lookups)
        point = values.pop("site")
        made.append(screening_create(point=point, agent=agent, check_scope=False, **values))
    return made


SAME = [
    "point_id",
    "screened_at",
    "agent_id",
    "agent_name",
    "name",
    "phone",
    "document_number",
    "sex",
    "age",
    "age_group",
    "nationality",
    "conveyance",
    "origin_country",
    "countries_visited",
    "destination_id",
    "contact_sick",
    "temperature",
    "symptoms",
    "has_symptoms",
    "case_definition_id",
    "auto_suspect",
    "matched_clauses",
    "classification_status",
    "is_suspect",
    "override_reason",
    "decided_by_id",
    "decided_at",
    "alert_recipients",
]


def record_events(screening: Screening) -> list[tuple]:
    return [
        (e.action, e.actor_id, e.details)
        for e in AuditEvent.objects.filter(target=f"health.screening:{screening.pk}").order_by("pk")
        if "created" not in e.details
    ]


@pytest.mark.django_db
def test_a_file_import_makes_the_same_records_as_one_screening_at_a_time(
    staff, media, django_capture_on_commit_callbacks
):
    agent = staff["agent"]
    with django_capture_on_commit_callbacks(execute=True):
        record = imported(screening_file(ROWS), by=agent)
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (4, 4, 0)
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    batch = list(Screening.objects.filter(submission__source_file=record).order_by("pk"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        single = one_by_one(ROWS, agent)
    single = [Screening.objects.get(pk=s.pk) for s in single]

    for imported_one, alone in zip(batch, single, strict=True):
        for field in SAME:
            assert getattr(imported_one, field) == getattr(alone, field), field
        assert (imported_one.notified_at is None) == (alone.notified_at is None)
        assert (imported_one.alert_sent_at is None) == (alone.alert_sent_at is None)
        assert record_events(imported_one) == record_events(alone)
    assert [s.person_key for s in batch[:3]] == [s.person_key for s in single[:3]]
    assert batch[3].person_key != single[3].person_key  # nobody named: a key of its own
    assert batch[3].person_key.startswith("T-") and len(batch[3].person_key) == 14
    assert [s.step for s in batch] == ["screened", "notified", "screened", "screened"]
    assert batch[2].classification_status == "overridden" and batch[2].matched_clauses == ["B"]
    # The same alert e-mails (subject names the record: SCR-<its id>).
    assert sent == [
        (to, subject.replace(f"SCR-{single[1].pk:06d}", f"SCR-{batch[1].pk:06d}"))
        for to, subject in sorted((m.to[0], m.subject) for m in mail.outbox)
    ]
    assert len(sent) == 2
    # The identifiers are stored encrypted, as screening_create stores them.
    with connection.cursor() as cursor:
        cursor.execute(
            "select name, phone, document_number from health_screening where id = %s",
            [batch[0].pk],
        )
        raw = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in raw)
    assert "Sidibé" not in " ".join(raw)
    # One event for the batch: who, what, how many, which submissions and records.
    event = AuditEvent.objects.get(target="health.screening")
    submissions = sorted(s.submission_id for s in batch)
    assert event.actor == agent and event.action == "data_change"
    assert event.details == {
        "created": 4,
        "suspect": 1,
        "screenings": [[batch[0].pk, batch[-1].pk]],
        "submissions": [[submissions[0], submissions[-1]]],
    }
    assert not AuditEvent.objects.filter(
        target__in=[f"health.screening:{s.pk}" for s in batch], details__has_key="created"
    ).exists()


@pytest.mark.django_db
def test_a_demo_file_notifies_nobody(staff, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = imported(screening_file(ROWS), by=staff["agent"], is_demo=True)
    assert record.rows_accepted == 4 and mail.outbox == []
    suspect = Screening.objects.get(is_suspect=True)
    assert suspect.notified_at is None and suspect.alert_recipients == 0


@pytest.mark.django_db
def test_a_row_the_service_refuses_is_quarantined_alone(staff, media):
    """An agent's decision against the case definition without a reason is refused by the
    service only (the mapper's clean does not know the classification): the batch save
    fails, the rows go one by one, and only that row is quarantined."""
    unexplained = ROWS[1].replace("cough;;", "cough;not_suspect;")
    record = imported(screening_file([ROWS[0], unexplained, ROWS[2], ROWS[3]]), by=staff["agent"])
    assert (record.rows_read, record.rows_accepted, record.rows_quarantined) == (4, 3, 1)
    refused = Submission.objects.get(source_file=record, status="quarantined")
    assert refused.row_number == 3 and refused.site.code == "BCP-DIBOLI"
    assert [e["field"] for e in refused.errors] == ["override_reason"]
    assert "give a reason" in refused.errors[0]["message"]
    assert Screening.objects.count() == 3
    assert not Screening.objects.filter(submission=refused).exists()


@pytest.mark.django_db
def test_a_site_that_stopped_being_a_point_is_refused_by_the_service(staff, media, monkeypatch):
    """The batch's lookups may be a few seconds old when its rows are written; the service
    checks the point's kinds again when it writes."""
    from hbmm.places.models import Site

    mapper = get_mapper("screening")
    save = mapper.save

    def save_after_a_registry_edit(items):
        # Edited between the cleaning of the batch (Gogui was still a border crossing point)
        # and its save.
        Site.objects.get(code="BCP-GOGUI").kinds.clear()
        save(items)

    monkeypatch.setattr(mapper, "save", save_after_a_registry_edit)
    record = imported(screening_file(ROWS), by=staff["agent"])
    assert (record.rows_accepted, record.rows_quarantined) == (2, 2)
    refused = Submission.objects.filter(source_file=record, status="quarantined")
    assert {s.site.code for s in refused} == {"BCP-GOGUI"}
    assert all(e["field"] == "point" for s in refused for e in s.errors)


def many_rows(n: int, first: dt.datetime) -> list[str]:
    """n rows: a suspect every 5th, a row with an unknown point every 7th."""
    rows = []
    for i in range(n):
        at = first + dt.timedelta(minutes=11 * i)
        point = "BCP-NOWHERE" if i % 7 == 3 else ("BCP-DIBOLI", "BCP-GOGUI")[i % 2]
        fever = "38,9;cough" if i % 5 == 0 else "36,7;"
        rows.append(
            f"{point};{at:%d/%m/%Y %H:%M};;Voyageur {i};;D{i};male;{20 + i % 40};MLI;bus;"
            f"SEN;;;non;{fever};;"
        )
    return rows


def queries_for(n: int, first: dt.datetime, agent) -> int:
    content = screening_file(many_rows(n, first))
    with CaptureQueriesContext(connection) as captured:
        record = imported(content, by=agent, name=f"depistage-{n}.csv", batch_size=500)
    assert record.rows_read == n and record.rows_quarantined == len(range(3, n, 7))
    return len(captured)


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_for_10_rows_as_for_400(staff, media, monkeypatch):
    agent = staff["agent"]
    imported(screening_file(ROWS[:1]), by=agent)  # the mapper's lookups are built
    few = queries_for(10, dt.datetime(2020, 5, 1, 6, tzinfo=dt.UTC), agent)
    many = queries_for(400, dt.datetime(2020, 6, 1, 6, tzinfo=dt.UTC), agent)
    assert many == few, f"{few} queries for 10 rows, {many} for 400: a query per row?"
    suspects = sum(1 for n in (10, 400) for i in range(n) if i % 5 == 0 and i % 7 != 3)
    notified = Screening.objects.filter(is_suspect=True, notified_at__isnull=False)
    assert notified.count() == suspects == 70
