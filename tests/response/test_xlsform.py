"""The 4W XLSForm (French and English) on the intake pipeline: the shipped form converts, is
up to date with the code that writes it and names only the mapper's fields; an instance from
ODK Collect goes through the same mapper and save service as the 4W file import, with the same
checks: a partner reports for their own organisation only (left empty: theirs), in their
scope, into an open period; a bad instance is quarantined naming the field, nothing stored."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.intake.models import Submission
from hbmm.intake.parsing import parse_xml
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.response import services, xlsforms
from hbmm.response.intake_mappers import ActivityReportMapper
from hbmm.response.models import ActivityReport, Channel, Indicator, ParticipantRole, Status


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


def test_form_converts_and_matches_its_mapper():
    path = xlsforms.FORMS_DIR / "activity_report.xlsx"
    assert convert(xlsform=str(path)).warnings == []
    assert _rows(path, "settings")[0]["form_id"] == ActivityReportMapper.form_id
    survey = _rows(path, "survey")
    built = xlsforms.activity_report_form()
    assert survey == [{k: str(v) for k, v in r.items() if v != ""} for r in built["survey"]]
    fields = {r["name"] for r in survey if r["type"] not in ("start", "end")}
    assert fields == set(ActivityReportMapper.aliases) | {"month"}
    labelled = [r for r in survey if r["type"] not in ("start", "end")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in labelled)
    choices = _rows(path, "choices")
    assert choices == [{k: v for k, v in r.items() if v != ""} for r in built["choices"]]
    by_list: dict[str, set] = {}
    for row in choices:
        by_list.setdefault(row["list_name"], set()).add(row["name"])
    assert by_list["status"] == set(Status.values)
    assert by_list["participant_role"] == set(ParticipantRole.values)
    assert by_list["channel"] == set(Channel.values)


@pytest.mark.django_db
def test_the_form_offers_every_reported_indicator_of_the_shipped_plan(plan):
    offered = {i["code"] for i in xlsforms.reported_indicators()}
    reported = set(
        Indicator.objects.filter(plan=plan, source="reported").values_list("code", flat=True)
    )
    assert offered == reported and "stranded-migrants-assisted" not in offered


def _send(fields: dict, *, user, uid: str) -> Submission:
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    xml = (
        f'<data id="activity_report" version="{xlsforms.VERSION}">{body}'
        f"<meta><instanceID>uuid:{uid}</instanceID></meta></data>"
    )
    parsed = parse_xml(xml)
    received = submission_receive(
        channel="openrosa",
        form_id=parsed.form_id,
        instance_id=parsed.instance_id,
        payload=xml,
        payload_format="xml",
        data=parsed.data,
        submitter=user,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


# What ODK Collect sends for a training at a border post (the irrelevant fields empty).
TRAINING = {
    "month": "2020-05-01",
    "organisation": "",
    "implementing_partner": "",
    "indicator": "agents-trained",
    "site": "BCP-DIBOLI",
    "area": "",
    "status": "completed",
    "value": "",
    "women": "4",
    "men": "8",
    "girls": "",
    "boys": "",
    "training_topic": "Dépistage aux frontières",
    "participant_role": "health_agents",
    "pre_test_score": "41.5",
    "post_test_score": "78",
    "channel": "",
    "note": "",
}


@pytest.fixture
def partner(plan, orgs, make_user):
    user = make_user("partner", areas=["ML01"])
    services.membership_set(user=user, organisation=orgs["crm"])
    return user


@pytest.mark.django_db
def test_an_instance_becomes_a_4w_row_of_the_partners_organisation(partner, orgs):
    submission = _send(TRAINING, user=partner, uid="4w-1")
    assert submission.status == "accepted", submission.errors
    row = ActivityReport.objects.get(submission=submission)
    assert (row.organisation, row.indicator.code, row.site.code, row.area.pcode) == (
        orgs["crm"],
        "agents-trained",
        "BCP-DIBOLI",
        "ML0103",
    )
    assert (row.period.month, row.value, row.women, row.men) == (
        dt.date(2020, 5, 1),
        Decimal(12),
        4,
        8,
    )
    assert (row.participant_role, row.pre_test_score, row.post_test_score) == (
        "health_agents",
        Decimal("41.5"),
        Decimal(78),
    )
    assert row.entered_by == partner
    # the same instance again changes nothing
    again = _send(TRAINING, user=partner, uid="4w-1")
    assert again.pk == submission.pk
    assert ActivityReport.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisation": "drs-kayes"}, "organisation"),  # another partner's organisation
        ({"site": "", "area": "ML07"}, "area"),  # outside the partner's scope
        ({"women": "5", "value": "99"}, "value"),  # the parts do not add up
        ({"indicator": "no-such-indicator"}, "indicator"),
        ({"month": "2021-03-01"}, "month"),  # outside the plan's period
        ({"channel": "radio"}, "channel"),  # a training has no channel
    ],
)
def test_a_bad_instance_is_quarantined_naming_the_field(partner, changes, field):
    submission = _send({**TRAINING, **changes}, user=partner, uid=f"4w-{field}")
    assert submission.status == "quarantined"
    assert field in {e["field"] for e in submission.errors}, submission.errors
    assert not ActivityReport.objects.exists()


@pytest.mark.django_db
def test_a_locked_period_quarantines_the_instance(plan, partner, make_user):
    manager = make_user("programme_manager", areas=["MLI"])
    period = services.period_get_or_create(plan=plan, month=dt.date(2020, 5, 1))
    services.period_lock(period=period, by=manager)
    submission = _send(TRAINING, user=partner, uid="4w-locked")
    assert submission.status == "quarantined"
    assert {e["field"] for e in submission.errors} == {"period"}
    assert not ActivityReport.objects.exists()


@pytest.mark.django_db
def test_a_user_of_no_organisation_must_name_one(plan, orgs, make_user):
    officer = make_user("im_officer", areas=["MLI"])
    submission = _send(TRAINING, user=officer, uid="4w-none")
    assert submission.status == "quarantined"
    assert {e["field"] for e in submission.errors} == {"organisation"}
    named = _send({**TRAINING, "organisation": "iom"}, user=officer, uid="4w-iom")
    assert named.status == "accepted", named.errors
    assert ActivityReport.objects.get().organisation == orgs["iom"]
