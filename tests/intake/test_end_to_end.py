"""End to end, with the domain apps' own mappers: the shipped XLSForm is downloaded over
OpenRosa as ODK Collect does, its instance template is filled in, posted, and a domain record
appears (mobility's FlowCount, health's CapacityAssessment); an edit updates the same record."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.intake.mappers import get_mapper
from hbmm.intake.models import Submission

XF = "http://www.w3.org/2002/xforms"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def download_form(client, form_id: str) -> ET.Element:
    """The form's primary instance, as Collect gets it: form list -> downloadUrl."""
    listing = ET.fromstring(client.get(f"/formList?formID={form_id}").content)
    url = listing.find(".//{http://openrosa.org/xforms/xformsList}downloadUrl").text
    form = ET.fromstring(client.get(url).content)
    model = form.find(f"{{http://www.w3.org/1999/xhtml}}head/{{{XF}}}model")
    return model.find(f"{{{XF}}}instance")[0]


def fill(template: ET.Element, values: dict, *, instance_id: str, deprecated_id="") -> bytes:
    """Fill the leaves of the template by name (groups stay where the form puts them)."""
    root = ET.fromstring(ET.tostring(template))
    leaves = {e.tag.split("}")[1]: e for e in root.iter() if len(e) == 0}
    for name, value in values.items():
        leaves[name].text = str(value)
    leaves["instanceID"].text = instance_id
    if deprecated_id:
        meta = next(e for e in root.iter() if e.tag == f"{{{XF}}}meta")
        ET.SubElement(meta, f"{{{XF}}}deprecatedID").text = deprecated_id
    ET.register_namespace("", XF)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def post(client, xml: bytes):
    return client.post(
        "/submission", {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")}
    )


@pytest.mark.django_db
def test_flow_count_form_to_flow_count_record(make_user, collect):
    from hbmm.mobility.models import FlowCount

    assert get_mapper("flow_count").model is FlowCount
    client = collect(make_user("enumerator", areas=["ML01"]))
    template = download_form(client, "flow_count")
    values = {
        "observation_date": "2020-04-28",
        "site": "BCP-GOGUI",
        "direction": "incoming",
        "observation_hours": "24",
        "men": "12",
        "women": "5",
        "boys": "3",
        "girls": "2",
        "unaccompanied_children": "1",
        "total": "22",
        "stranded": "4",
        "nationality": "MRT",
        "transport": "bus",
        "reason": "economic",
        "previous_country": "MRT",
        "next_country": "MLI",
        "next_pcode": "ML0106",
        "final_destination": "MLI",
    }
    response = post(client, fill(template, values, instance_id="uuid:fc-1"))
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(instance_id="uuid:fc-1")
    assert submission.status == "accepted", submission.errors
    record = FlowCount.objects.get(submission=submission)
    assert (record.site.code, record.observation_date, record.direction) == (
        "BCP-GOGUI",
        dt.date(2020, 4, 28),
        "incoming",
    )
    assert (record.men, record.women, record.boys, record.girls) == (12, 5, 3, 2)
    assert (record.nationality, record.next_country) == ("MRT", "MLI")

    edited = fill(
        template,
        values | {"men": "15", "total": "25"},
        instance_id="uuid:fc-2",
        deprecated_id="uuid:fc-1",
    )
    assert post(client, edited).status_code == 201
    assert FlowCount.objects.count() == 1
    record = FlowCount.objects.get()
    assert record.men == 15 and record.submission.instance_id == "uuid:fc-2"


@pytest.mark.django_db
def test_poe_capacity_form_to_capacity_assessment(make_user, collect):
    from hbmm.health.models import CapacityAssessment

    assert get_mapper("poe_capacity").model is CapacityAssessment
    client = collect(make_user("poe_agent", sites=["BCP-GOGUI"]))
    template = download_form(client, "poe_capacity")
    checklist = {
        "surveillance_system": "yes",
        "traveller_awareness": "yes",
        "community_awareness": "no",
        "isolation_space": "no",
        "handwashing": "yes",
        "screening_equipment": "yes",
        "ppe_stock": "not_assessed",
        "trained_staff": "yes",
        "referral_pathway": "no",
        "data_tool": "yes",
    }
    values = {
        "site": "BCP-GOGUI",
        "point_type": "bcp",
        "assessed_on": "2020-04-27",
        "health_staff_present": "3",
        "screening_hours_per_day": "12",
        **checklist,
    }
    response = post(client, fill(template, values, instance_id="uuid:pc-1"))
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(instance_id="uuid:pc-1")
    assert submission.status == "accepted", submission.errors
    record = CapacityAssessment.objects.get(submission=submission)
    assert (record.site.code, record.assessed_on, record.health_staff_present) == (
        "BCP-GOGUI",
        dt.date(2020, 4, 27),
        3,
    )
    assert (record.handwashing, record.isolation_space, record.ppe_stock) == (
        "yes",
        "no",
        "not_assessed",
    )
    # A site outside the agent's post is refused before anything is stored.
    other = post(client, fill(template, values | {"site": "BCP-DIBOLI"}, instance_id="uuid:pc-2"))
    assert other.status_code == 403
    assert not Submission.objects.filter(instance_id="uuid:pc-2").exists()
