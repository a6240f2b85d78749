"""The pipeline with a test-local mapper over a real model (places.Site): receive, process,
idempotency, edits, quarantine, correction."""

import pytest

from hbmm.accounts.models import AuditEvent
from hbmm.intake.cleaning import clean_text
from hbmm.intake.mappers import FieldError, Mapper, MappingError, register, unregister
from hbmm.intake.models import Correction, Submission
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.intake.review import submission_correct, submissions_reprocess
from hbmm.places.models import Site
from hbmm.places.services import site_registry_import


class SiteRegistrationMapper(Mapper):
    """Registers an office from a form: enough domain to exercise the pipeline."""

    form_id = "test_site_registration"
    model = Site
    permission = "places.add_site"
    aliases = {"pcode": ("p_code", "code_p")}

    def clean(self, data, *, submitter, lookups):
        errors: list[FieldError] = []
        code = clean_text(data, "code", errors, required=True)
        name = clean_text(data, "name", errors, required=True)
        pcode = clean_text(data, "pcode", errors, required=True)
        if pcode and lookups.area(pcode) is None:
            errors.append(FieldError("pcode", pcode, "Unknown P-code."))
        if errors:
            raise MappingError(errors)
        return {"code": code, "name": name, "pcode": pcode}

    def save(self, items):
        for item in items:
            if item.cleaned["name"] == "REFUSED":  # the domain refuses it at save time
                raise MappingError([FieldError("name", "REFUSED", "Refused by the domain.")])
            code = item.existing[0].code if item.existing else item.cleaned["code"]
            site_registry_import(
                rows=[
                    (
                        1,
                        {
                            "code": code,
                            "name_fr": item.cleaned["name"],
                            "kinds": "office",
                            "pcode": item.cleaned["pcode"],
                        },
                    )
                ]
            )

    def records_for(self, submission):
        return Site.objects.filter(code=submission.effective_data.get("code"))


@pytest.fixture
def mapper(reference):
    register(SiteRegistrationMapper())
    yield
    unregister(SiteRegistrationMapper.form_id)


def receive(instance_id, data, *, deprecated_id="", payload=None):
    return submission_receive(
        channel="openrosa",
        form_id=SiteRegistrationMapper.form_id,
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        payload=payload or f"<data>{sorted(data.items())}</data>",
        payload_format="xml",
        data=data,
    )


@pytest.mark.django_db
def test_accepted_submission_creates_the_record(mapper):
    received = receive("uuid:1", {"code": "OFF-NIORO", "name": "Nioro", "pcode": "ML0106"})
    counts = submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert counts["accepted"] == 1
    assert received.submission.status == "accepted" and received.submission.is_current
    assert Site.objects.get(code="OFF-NIORO").area.pcode == "ML0106"


@pytest.mark.django_db
def test_same_instance_twice_creates_nothing_new(mapper):
    data = {"code": "OFF-NIORO", "name": "Nioro", "pcode": "ML0106"}
    first = receive("uuid:1", data)
    submissions_process([first.submission])
    again = receive("uuid:1", data)
    assert again.created is False and again.submission.pk == first.submission.pk
    assert Submission.objects.count() == 1
    assert Site.objects.filter(code="OFF-NIORO").count() == 1


@pytest.mark.django_db
def test_different_payload_under_known_instance_is_kept_as_conflict(mapper):
    first = receive("uuid:1", {"code": "OFF-NIORO", "name": "Nioro", "pcode": "ML0106"})
    submissions_process([first.submission])
    other = receive("uuid:1", {"code": "OFF-NIORO", "name": "Changed", "pcode": "ML0106"})
    assert other.submission.status == "conflict"
    submissions_process([other.submission])
    assert Site.objects.get(code="OFF-NIORO").name_fr == "Nioro"
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_edit_supersedes_and_updates_the_same_record(mapper):
    first = receive("uuid:1", {"code": "OFF-NIORO", "name": "Nioro", "pcode": "ML0106"})
    submissions_process([first.submission])
    site_pk = Site.objects.get(code="OFF-NIORO").pk
    edit = receive(
        "uuid:2",
        {"code": "OFF-NIORO", "name": "Nioro du Sahel", "pcode": "ML0106"},
        deprecated_id="uuid:1",
    )
    assert edit.submission.root_id == "uuid:1"
    submissions_process([edit.submission])
    first.submission.refresh_from_db()
    edit.submission.refresh_from_db()
    assert first.submission.status == "superseded" and not first.submission.is_current
    assert edit.submission.status == "accepted" and edit.submission.is_current
    site = Site.objects.get(code="OFF-NIORO")
    assert site.pk == site_pk and site.name_fr == "Nioro du Sahel"


@pytest.mark.django_db
def test_original_arriving_after_its_edit_does_not_overwrite_it(mapper):
    edit = receive(
        "uuid:2",
        {"code": "OFF-NIORO", "name": "Nioro du Sahel", "pcode": "ML0106"},
        deprecated_id="uuid:1",
    )
    submissions_process([edit.submission])
    late = receive("uuid:1", {"code": "OFF-NIORO", "name": "Nioro", "pcode": "ML0106"})
    submissions_process([late.submission])
    late.submission.refresh_from_db()
    assert late.submission.status == "superseded"
    assert Site.objects.get(code="OFF-NIORO").name_fr == "Nioro du Sahel"


@pytest.mark.django_db
def test_invalid_submission_is_quarantined_with_every_reason(mapper):
    received = receive("uuid:1", {"code": "", "name": "Nioro", "pcode": "ML9999"})
    counts = submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert counts["quarantined"] == 1
    assert received.submission.status == "quarantined"
    reasons = {(e["field"], e["value"]) for e in received.submission.errors}
    assert reasons == {("code", None), ("pcode", "ML9999")}
    assert not Site.objects.filter(name_fr="Nioro").exists()


@pytest.mark.django_db
def test_one_bad_row_in_a_batch_quarantines_only_itself(mapper):
    good = receive("uuid:1", {"code": "OFF-A", "name": "A", "pcode": "ML0106"}).submission
    bad = receive("uuid:2", {"code": "OFF-B", "name": "REFUSED", "pcode": "ML0106"}).submission
    other = receive("uuid:3", {"code": "OFF-C", "name": "C", "pcode": "ML0106"}).submission
    counts = submissions_process([good, bad, other])
    assert counts == {"accepted": 2, "quarantined": 1, "superseded": 0, "refused": 0}
    bad.refresh_from_db()
    assert bad.status == "quarantined" and bad.errors[0]["field"] == "name"
    assert set(Site.objects.filter(code__startswith="OFF-").values_list("code", flat=True)) >= {
        "OFF-A",
        "OFF-C",
    }
    assert not Site.objects.filter(code="OFF-B").exists()


@pytest.mark.django_db
def test_correction_keeps_raw_payload_and_reprocesses(mapper, make_user):
    officer = make_user("im_officer", areas=["MLI"])
    received = receive("uuid:1", {"code": "OFF-NIORO", "name": "Nioro", "pcode": "ML9999"})
    submissions_process([received.submission])
    raw = received.submission.payload
    corrected = submission_correct(
        submission=received.submission, changes={"pcode": "ML0106"}, by=officer, note="typo"
    )
    assert corrected.status == "accepted"
    assert corrected.payload == raw and corrected.data["pcode"] == "ML9999"
    assert Correction.objects.get(submission=corrected).changes == {"pcode": ["ML9999", "ML0106"]}
    assert AuditEvent.objects.filter(action="data_change", actor=officer).count() == 1
    assert Site.objects.get(code="OFF-NIORO").area.pcode == "ML0106"


@pytest.mark.django_db
def test_unknown_form_is_quarantined(reference):
    received = submission_receive(
        channel="file",
        form_id="nope",
        instance_id="x1",
        payload="{}",
        payload_format="row",
        data={},
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert received.submission.status == "quarantined"
    assert received.submission.errors[0]["field"] == "form_id"


@pytest.mark.django_db
def test_reprocess_after_mapper_fix(mapper):
    received = receive("uuid:1", {"code": "OFF-X", "name": "X", "p_code": "ML0106"})
    unregister(SiteRegistrationMapper.form_id)
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert received.submission.status == "quarantined"
    register(SiteRegistrationMapper())  # "the fix": the form is known again; alias p_code -> pcode
    totals = submissions_reprocess(form_id=SiteRegistrationMapper.form_id)
    assert totals["accepted"] == 1
    assert Site.objects.get(code="OFF-X").area.pcode == "ML0106"


@pytest.mark.django_db
def test_file_import_rows_become_submissions_and_reimport_adds_nothing(mapper, settings, tmp_path):
    import io

    from hbmm.intake.channels.files import file_import
    from hbmm.intake.models import ImportFile

    settings.MEDIA_ROOT = tmp_path
    content = "\ufeffcode;name;code_p\nOFF-A;A;ML0106\nOFF-B;B;ML9999\nOFF-A;A;ML0106\n"
    imported = file_import(
        kind=SiteRegistrationMapper.form_id,
        source=io.BytesIO(content.encode("utf-8")),
        original_name="sites.csv",
    )
    assert imported.status == ImportFile.Status.DONE
    assert (imported.rows_read, imported.rows_accepted, imported.rows_quarantined) == (3, 2, 1)
    bad = Submission.objects.get(source_file=imported, status="quarantined")
    assert bad.row_number == 3 and bad.errors[0]["field"] == "pcode"
    assert bad.data == {"code": "OFF-B", "name": "B", "code_p": "ML9999"}
    assert bad.payload == '{"code": "OFF-B", "code_p": "ML9999", "name": "B"}'
    assert bad.corrections == {} and not bad.is_current and bad.channel == "file"
    again = file_import(
        kind=SiteRegistrationMapper.form_id,
        source=io.BytesIO(content.encode("utf-8")),
        original_name="sites-copy.csv",
    )
    assert (again.rows_read, again.rows_duplicate, again.rows_accepted) == (3, 3, 0)
    assert Submission.objects.count() == 3
