"""End to end: ODK Collect sends the shipped forms to HBMM's OpenRosa server; the real mobility
mappers turn them into records."""

import base64
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.mobility.models import FlowCount, StrandedMigrants
from tests.intake.conftest import HttpsClient

PASSWORD = "correct horse battery"
NS = {"list": "http://openrosa.org/xforms/xformsList"}


def collect(user) -> HttpsClient:
    token = base64.b64encode(f"{user.get_username()}:{PASSWORD}".encode()).decode()
    return HttpsClient(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_OPENROSA_VERSION="1.0")


def send(client, xml: str):
    upload = SimpleUploadedFile("submission.xml", xml.encode(), "text/xml")
    return client.post("/submission", {"xml_submission_file": upload})


FLOW = """<data id="flow_count" version="2020050101">
<start>2020-04-28T08:00:00Z</start><end>2020-04-28T09:00:00Z</end><deviceid>x</deviceid>
<observation_date>2020-04-28</observation_date><site>BCP-GOGUI</site><direction>incoming</direction>
<observation_hours>12</observation_hours>
<travellers><men>3</men><women>2</women><boys>1</boys><girls>0</girls>
<unaccompanied_children>0</unaccompanied_children><total>6</total><stranded>1</stranded></travellers>
<journey><nationality>MRT</nationality><transport>bus</transport><reason>family</reason>
<previous_country>MRT</previous_country><previous_pcode/><next_country>MLI</next_country>
<next_pcode>ML09</next_pcode><final_destination>CIV</final_destination></journey>
<meta><instanceID>uuid:flow-1</instanceID></meta></data>"""

STRANDED = """<data id="stranded" version="2020051501">
<date>2020-03-20</date><site>BCP-GOGUI</site><count>14</count>
<nationalities>MRT SEN</nationalities><needs>food shelter</needs><note/>
<meta><instanceID>uuid:stranded-1</instanceID></meta></data>"""


@pytest.mark.django_db
def test_collect_sends_flow_counts_and_stranded_migrants(make_user):
    enumerator = make_user("enumerator", areas=["ML01"], password=PASSWORD)
    client = collect(enumerator)
    listed = ET.fromstring(client.get("/formList").content)
    form_ids = {e.find("list:formID", NS).text for e in listed.findall("list:xform", NS)}
    assert {"flow_count", "stranded", "event"} <= form_ids
    assert "displacement" not in form_ids  # not the enumerator's to send
    assert send(client, FLOW).status_code == 201
    record = FlowCount.objects.get()
    assert (record.site.code, record.total, record.stranded, record.final_destination) == (
        "BCP-GOGUI",
        6,
        1,
        "CIV",
    )
    assert (record.next_area.pcode, str(record.observation_hours)) == ("ML09", "12.0")
    assert send(client, STRANDED).status_code == 201
    group = StrandedMigrants.objects.get()
    assert (group.count, group.nationalities, group.needs) == (
        14,
        ["MRT", "SEN"],
        ["food", "shelter"],
    )
    # A point outside the enumerator's scope is refused before anything is stored.
    outside = FLOW.replace("BCP-GOGUI", "BCP-ZEGOUA").replace("uuid:flow-1", "uuid:flow-2")
    assert send(client, outside).status_code == 403
    assert FlowCount.objects.count() == 1
