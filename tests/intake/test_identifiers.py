"""Identifiers wherever they travel through intake: a form whose mapper declares identifier
fields (screening: name, phone, document number) has its raw payload encrypted and those
fields kept out of every clear copy (parsed data, reasons, corrections, audit details); the
submission page shows them only to roles with the form's identifier permission, on request,
and logs each read. The raw bytes stay recoverable by such a reader."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from hbmm.accounts.models import AuditEvent
from hbmm.health.screening.models import Screening
from hbmm.intake.channels.files import file_import
from hbmm.intake.models import Correction, Submission
from hbmm.intake.review import submission_correct
from tests.intake.conftest import receive_processed

NAME, PHONE, DOCUMENT = "Oumar Sidibé", "+22366001122", "PASS-778899"
SECRETS = (NAME, "Sidib", PHONE, "66001122", DOCUMENT)
SCREENING = {
    "point": "BCP-DIBOLI",
    "screened_at": "2020-04-14T08:30:00.000+00:00",
    "traveller_name": NAME,
    "phone": PHONE,
    "document_number": DOCUMENT,
    "sex": "male",
    "age": "41",
    "temperature": "36.6",
}


def xml_of(data: dict, instance_id: str) -> str:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in data.items())
    return (
        f'<data id="screening" version="1">{fields}'
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    )


def receive(data=None, *, instance_id="uuid:id-1", submitter=None):
    data = {**SCREENING, **(data or {})}
    return receive_processed(
        "screening",
        data,
        instance_id=instance_id,
        payload=xml_of(data, instance_id),
        submitter=submitter,
    )


def stored_text(*tables: str) -> str:
    """Every value of every row of `tables`, as the database holds them."""
    texts = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (test tables, no input)
            texts.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(texts)


def assert_no_identifier_in(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"identifiers stored in clear: {leaked}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_a_received_screening_keeps_no_identifier_in_clear(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    submission = receive(submitter=agent)
    assert submission.status == "accepted", submission.errors
    assert_no_identifier_in(stored_text("intake_submission"))
    assert "traveller_name" not in submission.data and submission.data["point"] == "BCP-DIBOLI"
    # Nothing is lost: the raw payload and the identifiers are recoverable, and mapped.
    assert submission.raw_payload == xml_of(SCREENING, "uuid:id-1")
    assert submission.effective_data["traveller_name"] == NAME
    assert Screening.objects.get().name == NAME


@pytest.mark.django_db
def test_a_conflicting_copy_and_a_quarantined_one_keep_none_either(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    receive(submitter=agent)
    conflict = receive({"age": "42"}, submitter=agent)
    assert conflict.status == "conflict"
    long_name = "Oumar Sidibé " * 20  # longer than the 200 characters allowed: a reason
    quarantined = receive({"traveller_name": long_name}, instance_id="uuid:id-2", submitter=agent)
    assert quarantined.status == "quarantined"
    assert [e["field"] for e in quarantined.errors] == ["traveller_name"]
    assert quarantined.errors[0]["value"] is None
    assert_no_identifier_in(stored_text("intake_submission"))


@pytest.mark.django_db
def test_an_imported_file_of_screenings_keeps_no_identifier_in_clear(reference, make_user):
    uploader = make_user("poe_supervisor", areas=["ML01"])
    content = (
        "point;screened_at;nom;telephone;document;sex;age;temperature\n"
        f"BCP-DIBOLI;2020-04-14T08:30:00Z;{NAME};{PHONE};{DOCUMENT};male;41;36.6\n"
        f"BCP-DIBOLI;2020-04-14T09:30:00Z;{NAME};{PHONE};{DOCUMENT};male;41;99\n"
    )
    record = file_import(
        kind="screening",
        source=io.BytesIO(content.encode()),
        original_name="screenings.csv",
        uploaded_by=uploader,
    )
    assert (record.rows_accepted, record.rows_quarantined) == (1, 1)
    assert_no_identifier_in(stored_text("intake_submission"))
    row = Submission.objects.get(row_number=2)
    assert row.raw_payload.startswith("{") and NAME in row.raw_payload
    assert row.effective_data["nom"] == NAME
    assert Screening.objects.get().document_number == DOCUMENT


@pytest.mark.django_db
def test_a_correction_of_an_identifier_keeps_it_out_of_the_log_and_audit(reference, make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    submission = receive({"temperature": "52"}, submitter=agent)
    reviewer = make_user("poe_supervisor", areas=["ML01"])
    for code in ("review_submission",):
        reviewer.user_permissions.add(Permission.objects.get(codename=code))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    corrected = submission_correct(
        submission=submission,
        changes={"temperature": "37", "phone": "+22366998877"},
        by=reviewer,
    )
    assert corrected.status == "accepted"
    assert Screening.objects.get().phone == "+22366998877"
    assert "phone" not in corrected.corrections and corrected.corrections["temperature"] == "37"
    text = stored_text("intake_submission", "intake_correction", "accounts_auditevent")
    assert_no_identifier_in(text)
    assert "66998877" not in text
    change = Correction.objects.get()
    assert change.changes["temperature"] == ["52", "37"] and change.changes["phone"] is None
    assert change.protected_changes == {"phone": [PHONE, "+22366998877"]}


@pytest.mark.django_db
def test_the_submission_page_shows_identifiers_only_on_request_to_permitted_roles(
    reference, make_user, client
):
    submission = receive(submitter=make_user("poe_agent", sites=["BCP-DIBOLI"]))
    url = f"/intake/submissions/{submission.pk}/"
    officer = make_user("im_officer", areas=["MLI"])  # reviews, may not see identifiers
    client.force_login(officer)
    for page in (client.get(url), client.get(url + "?identifiers=1")):
        assert page.status_code in (200, 403)
        assert_no_identifier_in(page.content.decode())
    assert client.get(url + "?identifiers=1").status_code == 403

    supervisor = make_user("poe_supervisor", areas=["ML01"])  # has health.view_identifiers
    client.force_login(supervisor)
    before = AuditEvent.objects.filter(action="read_protected").count()
    plain = client.get(url)
    assert plain.status_code == 200
    assert_no_identifier_in(plain.content.decode())
    assert AuditEvent.objects.filter(action="read_protected").count() == before
    shown = client.get(url + "?identifiers=1").content.decode()
    assert NAME in shown and DOCUMENT in shown and "&lt;traveller_name&gt;" in shown
    event = AuditEvent.objects.filter(action="read_protected").latest("pk")
    assert event.actor == supervisor and event.target == f"intake.submission:{submission.pk}"


@pytest.mark.django_db
def test_the_migration_protects_identifiers_stored_in_clear_before(reference, make_user):
    """Rows written before identifiers were protected: the data migration moves them into the
    encrypted copies (and out of past correction audit events); nothing is lost."""
    import importlib

    from django.db.migrations.loader import MigrationLoader

    submission = receive(submitter=make_user("poe_agent", sites=["BCP-DIBOLI"]))
    raw = xml_of(SCREENING, "uuid:id-1")
    # As main stored it: everything in clear, a correction of the phone logged in clear.
    Submission.objects.filter(pk=submission.pk).update(
        protected=None,
        payload=raw,
        data=SCREENING,
        corrections={"phone": "+22366998877"},
        errors=[{"field": "traveller_name", "value": NAME, "message": "Too long."}],
    )
    Correction.objects.create(
        submission=submission, changes={"phone": [PHONE, "+22366998877"], "age": ["41", "42"]}
    )
    AuditEvent.objects.create(
        action="data_change",
        target=f"intake.submission:{submission.pk}",
        details={"changes": {"phone": [PHONE, "+22366998877"]}, "note": ""},
    )
    assert NAME in stored_text("intake_submission")

    migration = importlib.import_module("hbmm.intake.migrations.0008_protect_stored_identifiers")
    state = MigrationLoader(connection).project_state(("intake", "0008_protect_stored_identifiers"))
    migration.protect_stored(state.apps, None)

    assert_no_identifier_in(stored_text("intake_submission", "intake_correction"))
    assert_no_identifier_in(stored_text("accounts_auditevent"))
    assert "66998877" not in stored_text("intake_submission", "intake_correction")
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.raw_payload == raw and stored.effective_data["phone"] == "+22366998877"
    assert stored.errors[0]["value"] is None
    correction = Correction.objects.get()
    assert correction.changes == {"phone": None, "age": ["41", "42"]}
    assert correction.protected_changes == {"phone": [PHONE, "+22366998877"]}
    migration.protect_stored(state.apps, None)  # run again: nothing changes
    assert Submission.objects.get(pk=submission.pk).raw_payload == raw
