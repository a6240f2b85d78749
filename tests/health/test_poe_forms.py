"""The shipped XLSForms: up to date with their definition, convert cleanly with pyxform, and
every field reaches the mapper of the same form id (an ODK instance goes through)."""

import pytest
from pyxform.xls2xform import convert

from hbmm.health import xlsforms
from hbmm.health.epi import xlsforms as epi_xlsforms
from hbmm.health.models import CAPACITY_ITEM_FIELDS, CapacityAssessment
from hbmm.health.poe import xlsforms as poe_xlsforms
from hbmm.intake.mappers import get_mapper
from hbmm.intake.parsing import alias_map, normalise_name, parse_xml
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

FORMS = {**epi_xlsforms.FORMS, **poe_xlsforms.FORMS}
META_TYPES = {"start", "end", "begin_group", "end_group", "today", "deviceid"}


def test_item_labels_follow_the_model():
    assert list(poe_xlsforms.ITEM_LABELS) == CAPACITY_ITEM_FIELDS


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_shipped_form_is_current_and_converts(form_id):
    path = xlsforms.FORMS_DIR / f"{form_id}.xlsx"
    assert xlsforms.sheet_values(path) == xlsforms.sheet_values(
        xlsforms.workbook(FORMS[form_id])
    ), "run `python -m hbmm.health.epi.xlsforms` and `python -m hbmm.health.poe.xlsforms`"
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings)
    assert warnings == []
    assert f'id="{form_id}"' in result.xform
    settings = dict(zip(xlsforms.SETTINGS_COLUMNS, FORMS[form_id]["settings"], strict=True))
    assert settings["form_id"] == form_id
    mapper = get_mapper(form_id)
    assert mapper is not None and mapper.form_id == form_id
    known = alias_map(mapper.aliases)
    canonical = set(known.values())
    names = [row[1] for row in FORMS[form_id]["survey"] if row[0].split(" ")[0] not in META_TYPES]
    # every field is read by the mapper under its canonical name
    for name in names:
        assert known.get(normalise_name(name), name) == name
    assert set(names) - canonical <= {
        "site",
        "note",
        "point_type",
        "status",
        "restriction",
        *CAPACITY_ITEM_FIELDS,
    }


INSTANCE = """<?xml version='1.0' ?>
<data id="poe_capacity" version="2020040101" xmlns:orx="http://openrosa.org/xforms">
  <start>2020-03-30T09:00:00.000Z</start><end>2020-03-30T09:20:00.000Z</end>
  <site>BCP-GOGUI</site><point_type>bcp</point_type><assessed_on>2020-03-30</assessed_on>
  <checklist>
    <surveillance_system>yes</surveillance_system><traveller_awareness>no</traveller_awareness>
    <community_awareness>not_assessed</community_awareness><isolation_space>no</isolation_space>
    <handwashing>yes</handwashing><screening_equipment>yes</screening_equipment>
    <ppe_stock>no</ppe_stock><trained_staff>no</trained_staff>
    <referral_pathway>yes</referral_pathway><data_tool>not_assessed</data_tool>
  </checklist>
  <health_staff_present>2</health_staff_present><screening_hours_per_day>12</screening_hours_per_day>
  <note/>
  <meta><instanceID>uuid:6f1c7f0e-0000-4000-8000-000000000001</instanceID>
  <instanceName>BCP-GOGUI 2020-03-30</instanceName></meta>
</data>"""


@pytest.mark.django_db
def test_odk_instance_of_the_capacity_form_is_accepted(make_user):
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    parsed = parse_xml(INSTANCE)
    received = submission_receive(
        channel="openrosa",
        form_id=parsed.form_id,
        form_version=parsed.form_version,
        instance_id=parsed.instance_id,
        payload=INSTANCE,
        payload_format="xml",
        data=parsed.data,
        submitter=agent,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert received.submission.status == "accepted", received.submission.errors
    record = CapacityAssessment.objects.get()
    assert (record.site.code, record.traveller_awareness, record.community_awareness) == (
        "BCP-GOGUI",
        "no",
        "not_assessed",
    )
    assert record.health_staff_present == 2 and record.submission == received.submission
