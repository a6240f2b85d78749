"""Reading XForm instances: repeated fields and DTDs refused with a message naming the
problem (parsing.py), and the OpenRosa answer the phone gets for them (nothing stored)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hbmm.intake.models import Submission
from hbmm.intake.parsing import DocumentTypeRefused, PayloadError, RepeatedField, parse_xml
from tests.intake.conftest import flow_xml


def instance(body: str, *, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<data id="flow_count" version="1">{body}'
        "<meta><instanceID>uuid:p1</instanceID></meta></data>"
    ).encode()


def test_a_field_given_twice_is_refused_naming_it():
    with pytest.raises(RepeatedField) as caught:
        parse_xml(instance("<site>BCP-GOGUI</site><site>FMP-BAMAKO</site><men>1</men>"))
    assert caught.value.field == "site"


def test_a_field_of_the_same_name_in_two_groups_is_refused():
    # Submissions are flattened by leaf name: two leaves of one name would overwrite or merge.
    body = "<site>BCP-GOGUI</site><journey><site>FMP-BAMAKO</site></journey>"
    with pytest.raises(RepeatedField) as caught:
        parse_xml(instance(body))
    assert caught.value.field == "site"


def test_a_repeat_group_gives_a_list_of_values():
    body = (
        "<site>BCP-GOGUI</site>"
        "<child><age>3</age><sex>f</sex></child><child><age>5</age><sex>m</sex></child>"
    )
    parsed = parse_xml(instance(body))
    assert parsed.data["age"] == ["3", "5"] and parsed.data["sex"] == ["f", "m"]
    assert parsed.data["site"] == "BCP-GOGUI"


def test_internal_entities_are_not_expanded_but_refused():
    doctype = '<!DOCTYPE data [<!ENTITY where "BCP-GOGUI">]>'
    with pytest.raises(DocumentTypeRefused):
        parse_xml(instance("<site>&where;</site>", doctype=doctype))


def test_an_entity_expansion_bomb_is_refused_at_once():
    lols = "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(9)
    )
    with pytest.raises(PayloadError):
        parse_xml(instance("<site>&l8;</site>", doctype=f"<!DOCTYPE data [{lols}]>"))


def test_a_bare_doctype_is_refused_too():
    with pytest.raises(DocumentTypeRefused):
        parse_xml(instance("<site>BCP-GOGUI</site>", doctype="<!DOCTYPE data>"))


def post(client, xml: bytes):
    upload = SimpleUploadedFile("submission.xml", xml, "text/xml")
    return client.post("/submission", {"xml_submission_file": upload})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_two_sites_in_one_instance_are_refused_with_400_naming_the_field(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    xml = flow_xml("uuid:two-sites").replace(
        b"<site>BCP-GOGUI</site>", b"<site>BCP-GOGUI</site><site>FMP-BAMAKO</site>"
    )
    response = post(client, xml)
    assert response.status_code == 400, response.content
    assert b"site" in response.content and b"submit_success" not in response.content
    assert not Submission.objects.exists() and probe.saved == []


@pytest.mark.django_db
def test_two_sites_answer_in_french_for_a_french_phone(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]), language="fr")
    xml = flow_xml("uuid:two-sites-fr").replace(b"<men>3</men>", b"<men>3</men><men>4</men>")
    response = post(client, xml)
    assert response.status_code == 400
    assert "«\u202fmen\u202f»" in response.content.decode()


@pytest.mark.django_db
def test_a_submission_with_a_dtd_is_refused_with_400(probe, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    xml = flow_xml("uuid:dtd", site="&where;").replace(
        b"?>", b'?><!DOCTYPE data [<!ENTITY where "BCP-GOGUI">]>', 1
    )
    response = post(client, xml)
    assert response.status_code == 400, response.content
    assert b"DTD" in response.content
    assert not Submission.objects.exists() and probe.saved == []


def test_a_pulled_record_with_infinity_or_nan_is_stored_as_text():
    """Found by the long fuzz profile: a Kobo page with `total: [inf]` could not be stored (JSON
    columns refuse Infinity) and the pull failed with a RuntimeError; the value is now text,
    which the mapper refuses with a message."""
    from hbmm.intake.parsing import flatten_json  # noqa: PLC0415

    assert flatten_json({"total": [float("inf")], "men": float("nan"), "women": 2.5}) == {
        "total": ["inf"],
        "men": "nan",
        "women": 2.5,
    }
