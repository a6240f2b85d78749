"""4W rows by file import (intake's file import, kind activity_report): the good rows are
kept, each bad row quarantined with reasons naming the field; a locked period refuses rows."""

import datetime as dt
import io

import pytest

from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.response import services
from hbmm.response.models import ActivityReport, ReportingPeriod

FILE = """\
mois,organisation,indicateur,pcode,site,valeur,femmes,hommes,filles,garcons,role,theme,canal
2020-05,crm,people-reached,ML01,,30,10,8,7,5,,,séance
2020-05,crm,people-reached,ML01,,31,10,8,7,5,,,session
2020-05,crm,agents-trained,ML01,BCP-DIBOLI,12,4,8,,,agents de santé,Dépistage,
2020-05,nobody,radio-spots,ML01,,3,,,,,,,radio
2021-02,crm,radio-spots,ML01,,3,,,,,,,radio
2020-06,crm,radio-spots,ML99,,3,,,,,,,radio
2020-05,crm,radio-spots,ML01,,,,,,,,,radio
"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(text, by):
    return file_import(
        kind="activity_report",
        source=io.BytesIO(text.encode("utf-8")),
        original_name="4W mai 2020.csv",
        uploaded_by=by,
    )


@pytest.mark.django_db
def test_a_4w_file_keeps_good_rows_and_names_each_bad_rows_field(plan, orgs, make_user):
    manager = make_user("programme_manager", areas=["MLI"])
    imported = _import(FILE, manager)
    assert imported.status == ImportFile.Status.DONE
    assert (imported.rows_read, imported.rows_accepted, imported.rows_quarantined) == (7, 2, 5)
    bad = {
        s.row_number: {e["field"] for e in s.errors}
        for s in Submission.objects.filter(source_file=imported, status="quarantined")
    }
    assert bad == {
        3: {"value"},  # parts add up to 30, not 31
        5: {"organisation"},  # unknown code
        6: {"month"},  # outside the plan
        7: {"area"},  # unknown P-code
        8: {"value"},  # required
    }
    rows = ActivityReport.objects.order_by("indicator__code")
    assert [(r.indicator.code, r.value, r.channel, r.participant_role) for r in rows] == [
        ("agents-trained", 12, "", "health_agents"),
        ("people-reached", 30, "session", ""),
    ]
    assert rows[0].site.code == "BCP-DIBOLI" and rows[0].entered_by == manager
    assert all(r.submission.source_file_id == imported.pk for r in rows)


@pytest.mark.django_db
def test_a_partners_file_cannot_report_for_another_organisation(plan, orgs, make_user):
    partner = make_user("partner", areas=["ML01"])
    services.membership_set(user=partner, organisation=orgs["drs"])
    imported = _import(FILE.splitlines()[0] + "\n" + FILE.splitlines()[1] + "\n", partner)
    assert (imported.rows_accepted, imported.rows_quarantined) == (0, 1)
    (item,) = Submission.objects.filter(source_file=imported)
    assert {e["field"] for e in item.errors} == {"organisation"}


@pytest.mark.django_db
def test_a_locked_period_quarantines_its_rows(plan, orgs, make_user):
    manager = make_user("programme_manager", areas=["MLI"])
    period = services.period_get_or_create(plan=plan, month=dt.date(2020, 5, 1))
    services.period_lock(period=period, by=manager)
    imported = _import(FILE.splitlines()[0] + "\n" + FILE.splitlines()[1] + "\n", manager)
    assert (imported.rows_accepted, imported.rows_quarantined) == (0, 1)
    (item,) = Submission.objects.filter(source_file=imported)
    assert {e["field"] for e in item.errors} == {"period"}
    assert ReportingPeriod.objects.get(pk=period.pk).is_locked
    assert not ActivityReport.objects.exists()


def _send(data: dict, *, by, uid: str, edits: str = "") -> Submission:
    received = submission_receive(
        channel="openrosa",
        form_id="activity_report",
        instance_id=f"uuid:{uid}",
        deprecated_id=f"uuid:{edits}" if edits else "",
        payload=repr(sorted(data.items())),
        payload_format="xml",
        data=data,
        submitter=by,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


@pytest.mark.django_db
def test_an_edited_report_replaces_the_first(plan, orgs, make_user):
    """A 4W report edited and sent again (`deprecatedID`): `activity_reports_save_batch`
    replaces the report its first version made, entered by the sender; one report is left."""
    manager = make_user("programme_manager", areas=["MLI"])
    row = {"month": "2020-05", "organisation": "crm", "indicator": "radio-spots", "area": "ML01"}
    first = _send({**row, "value": "3"}, by=manager, uid="4w-1")
    assert first.status == "accepted", first.errors
    edit = _send({**row, "value": "5", "note": "corrigé"}, by=manager, uid="4w-2", edits="4w-1")
    assert edit.status == "accepted", edit.errors
    (report,) = ActivityReport.objects.all()
    assert (report.value, report.note, report.submission_id) == (5, "corrigé", edit.pk)
    assert report.entered_by == manager
