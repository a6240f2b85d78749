"""Every check the server makes that a form can make, the form makes, with the server's words.

For each form with a valid sample below, each question is probed with values the server may
refuse (empty, negative, huge, in the future, plus the form's own cross-field probes). Every
probe the mapper refuses on that question must be refused by the form too (its `required` or
`constraint`, evaluated by tests/intake/xpath_eval.py), and the form's constraint message, in
French and in English, must carry one of the server's messages for that question. A new server
check that the probes reach, without a form constraint, fails here.
"""

import datetime as dt
import re

import pytest
from django.utils import translation

from hbmm.health.ebs.services import focal_point_register
from hbmm.health.poe.models import CAPACITY_ITEM_FIELDS
from hbmm.intake import openrosa, xforms
from hbmm.intake.mappers import MappingError, get_mapper
from hbmm.intake.xforms import form_files
from hbmm.places.lookups import Lookups
from hbmm.places.models import AdminArea
from hbmm.places.services import site_registry_import
from hbmm.supplies.services import catalogue_load
from tests.intake.xpath_eval import survey_read

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
IN_TWO_HOURS = (dt.datetime.now() + dt.timedelta(hours=2)).isoformat(timespec="seconds")
TODAY = dt.date.today().isoformat()
AN_HOUR_AGO = (dt.datetime.now() - dt.timedelta(hours=1)).isoformat(timespec="seconds")

# A valid submission of each form, as the form would send it (its question names).
SAMPLES = {
    "flow_count": {
        "observation_date": TODAY,
        "site": "FMP-BAMAKO",
        "direction": "incoming",
        "observation_hours": "24",
        "men": "5",
        "women": "4",
        "boys": "3",
        "girls": "2",
        "unaccompanied_children": "1",
        "stranded": "2",
        "nationality": "MLI",
        "transport": "bus",
        "reason": "economic",
        "previous_country": "SEN",
        "previous_pcode": "SN01",
        "next_country": "MLI",
        "next_pcode": "ML09",
        "final_destination": "MLI",
    },
    "signal": {
        "reporter": "CFP-KTI-01",
        "reported_at": AN_HOUR_AGO,
        "detected_at": (dt.datetime.now() - dt.timedelta(hours=5)).isoformat(timespec="seconds"),
        "kind": "rumour",
        "site": "",
        "pcode": "ML0103",
        "people_affected": "3",
        "description": "Trois personnes malades.",
    },
    "displacement": {
        "round_number": "3",
        "reporting_date": TODAY,
        "area": "ML0901",
        "site": "",
        "households": "10",
        "total": "14",
        "men": "5",
        "women": "4",
        "boys": "3",
        "girls": "2",
        "returnees": "1",
        "reason": "Conflit",
        "period": "2020",
    },
    "mrrc_occupancy": {
        "date": TODAY,
        "site": "MRRC-GAO",
        "men": "5",
        "women": "4",
        "boys": "3",
        "girls": "2",
    },
    "stranded": {
        "date": TODAY,
        "site": "FMP-BAMAKO",
        "count": "12",
        "nationalities": "SEN GIN",
        "needs": "food water",
        "note": "",
    },
    "event": {
        "event_date": TODAY,
        "event_type": "flood",
        "area": "ML0901",
        "site": "",
        "households": "4",
        "individuals": "20",
        "needs": "shelter",
        "description": "Crue",
    },
    "epi_bulletin": {
        "bulletin_date": TODAY,
        "area": "ML01",
        "confirmed": "20",
        "recovered": "10",
        "deaths": "2",
        "tests": "300",
    },
    "poe_capacity": {
        "site": "BCP-GOGUI",
        "point_type": "bcp",
        "assessed_on": TODAY,
        **dict.fromkeys(CAPACITY_ITEM_FIELDS, "yes"),
        "health_staff_present": "3",
        "screening_hours_per_day": "12",
        "note": "",
    },
    "poe_status": {
        "site": "BCP-GOGUI",
        "effective_from": TODAY,
        "status": "partially_operational",
        "restriction": "entry",
        "populations_affected": "goods",
        "health_measures": "routine_screening covid_screening",
        "daily_inflow": "40",
        "daily_outflow": "30",
        "note": "",
    },
    "site_monitoring": {
        "date": TODAY,
        "site": "IDP-FALADIE",
        "population": "300",
        "households": "60",
        "isolation_tents": "2",
        "isolation_capacity": "10",
        "handwashing_points": "4",
        "latrines": "6",
        "distancing": "in_progress",
        "note": "",
    },
    "supplies_distribution": {
        "site": "BCP-GOGUI",
        "distributed_on": TODAY,
        "item": "PPE-MASK-SURG",
        "quantity": "100",
        "batch": "L1",
        "men": "10",
        "women": "12",
        "boys": "3",
        "girls": "4",
    },
    "feedback": {
        "received_at": AN_HOUR_AGO,
        "channel": "hotline",
        "site": "",
        "pcode": "ML0103",
        "source_type": "migrant",
        "text": "Les masques manquent.",
        "signal": "12",
    },
    "screening": {
        "point": "BCP-DIBOLI",
        "screened_at": AN_HOUR_AGO,
        "sex": "male",
        "age": "41",
        "nationality": "SEN",
        "conveyance": "bus",
        "origin_country": "SEN",
        "countries_visited": "SEN GMB",
        "destination": "ML0901",
        "contact_sick": "no",
        "temperature": "38.6",
        "symptoms": "fever cough",
    },
}
# Probes that need the other answers: (question, value).
CROSS_PROBES = {
    "flow_count": [
        ("unaccompanied_children", "6"),  # more than boys + girls
        ("stranded", "15"),  # more than the total
        ("previous_pcode", "ML01"),  # a place of Mali given for Senegal
        ("next_pcode", "SN01"),  # a place of Senegal given for Mali
        ("observation_hours", "0"),
    ],
    "signal": [
        ("detected_at", TODAY + "T23:59:59"),  # after the report
        ("reporter", "CFP-NOBODY"),
    ],
    "displacement": [
        ("girls", "3"),  # the parts no longer add up to the total
        ("area", "ML09"),  # a region, not a cercle
        ("site", "FMP-BAMAKO"),  # not an IDP site
    ],
    "mrrc_occupancy": [("site", "FMP-BAMAKO")],
    "screening": [("temperature", "29.9"), ("age", "121"), ("destination", "SN01")],
    "feedback": [("pcode", "SN01"), ("signal", "0")],
    "site_monitoring": [("households", "301"), ("site", "FMP-BAMAKO")],
    "supplies_distribution": [("quantity", "0"), ("site", "FMP-SEVARE")],
    "epi_bulletin": [("recovered", "19"), ("area", "ML0103"), ("area", "SN01")],
    "poe_status": [("health_measures", "none quarantine"), ("site", "FMP-BAMAKO")],
    "poe_capacity": [("screening_hours_per_day", "25"), ("health_staff_present", "501")],
    "event": [("area", "SN01")],
}
# What the form cannot check: (form, question) -> why.
NOT_IN_FORM: dict[tuple[str, str], str] = {}
GENERIC = {
    "integer": ["", "-1", "1000000000"],
    "decimal": ["", "-1", "1000000000"],
    "date": ["", TOMORROW],
    "dateTime": ["", IN_TWO_HOURS],
}


def _survey(form_id: str, user):
    """The form's survey with its media files as `user`'s phone gets them."""
    path = form_files()[form_id]
    converted = xforms.form_convert(path)
    return survey_read(
        path,
        {
            name: openrosa._media_content(user, form_id, name)
            for name in xforms.media_files(converted.xml)
        },
    )


def _server_errors(mapper, answers: dict, submitter) -> list:
    try:
        mapper.clean(answers, submitter=submitter, lookups=Lookups())
    except MappingError as exc:
        return exc.errors
    return []


def _messages(mapper, answers, submitter, name: str, language: str) -> set[str]:
    with translation.override(language):
        return {e.message for e in _server_errors(mapper, answers, submitter) if e.field == name}


@pytest.fixture
def focal_points(reference):
    """A focal point, an MRRC, an IDP site and the supplies catalogue: what the samples name
    beyond the shipped reference data."""
    catalogue_load()
    kayes = AdminArea.objects.get(pcode="ML0103")
    focal_point_register(key="CFP-KTI-01", name="Awa Traoré", area=kayes)
    site_registry_import(
        rows=[
            (2, {"code": "MRRC-GAO", "name_fr": "CRRM Gao", "kinds": "mrrc", "pcode": "ML0703"}),
            (
                3,
                {
                    "code": "IDP-FALADIE",
                    "name_fr": "Faladié",
                    "kinds": "idp_site",
                    "pcode": "ML0901",
                },
            ),
        ]
    )


def _filled(message: str, values: dict) -> str:
    """A constraint message with its `${name}` references filled in, as the phone shows it."""

    def value(match):
        v = values.get(match.group(1), "")
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    return re.sub(r"\$\{([a-z_0-9]+)\}", value, message)


def test_every_form_with_a_mapper_is_probed_or_listed():
    """A new form joins SAMPLES (and is probed) or is named here with the reason it is not yet."""
    not_yet = {
        "activity_report": "its indicators decide which questions are asked: a sample each",
        "followup_visit": "needs an open follow-up (a suspect screening) in followup.csv",
        "supplies_receipt": "needs a transfer dispatched to the site",
        "suspect_case": "needs an open suspect case in suspect_cases.csv; its refusals are "
        "tested in tests/health/test_screening_case_steps.py",
        "signal_verification": "needs a signal in the officer's scope; its refusals are "
        "tested in tests/health/test_ebs_verification_form.py",
    }
    assert set(form_files()) == set(SAMPLES) | set(not_yet)


@pytest.mark.django_db
@pytest.mark.parametrize("form_id", sorted(SAMPLES))
def test_the_sample_is_valid_for_server_and_form(form_id, make_user, focal_points):
    mapper = get_mapper(form_id)
    submitter = make_user("im_officer", areas=["MLI"])
    survey = _survey(form_id, submitter)
    assert _server_errors(mapper, SAMPLES[form_id], submitter) == []
    for name in SAMPLES[form_id]:
        assert survey.refusal(name, SAMPLES[form_id]) is None, name


@pytest.mark.django_db
@pytest.mark.parametrize("form_id", sorted(SAMPLES))
def test_the_form_refuses_what_the_server_refuses(form_id, make_user, focal_points):
    mapper = get_mapper(form_id)
    submitter = make_user("im_officer", areas=["MLI"])
    survey = _survey(form_id, submitter)
    probes = [
        (name, value)
        for name, q in survey.questions.items()
        if name in SAMPLES[form_id]
        for value in GENERIC.get(q.type, [""])
    ] + CROSS_PROBES.get(form_id, [])
    checked, missing = [], []
    for name, value in probes:
        if (form_id, name) in NOT_IN_FORM:
            continue
        answers = SAMPLES[form_id] | {name: value}
        english = _messages(mapper, answers, submitter, name, "en")
        if not english:
            continue  # the server takes it: nothing for the form to refuse
        checked.append((name, value))
        # The question refuses it, or another one does (girls, for a missing part of four).
        refusals = {name: survey.refusal(name, answers)}
        if refusals[name] is None:
            refusals = {q: survey.refusal(q, answers) for q in answers if q != name}
        refusals = {q: r for q, r in refusals.items() if r}
        if not refusals:
            missing.append(f"{name}={value!r}: server says {sorted(english)}, the form takes it")
            continue
        if {"required", "choice"} & set(refusals.values()):
            continue  # the phone says "required" in its language; the list does not offer it
        french = _messages(mapper, answers, submitter, name, "fr")
        values = survey.values(answers)
        for language, server in (("en", english), ("fr", french)):
            said = [_filled(survey.questions[q].messages[language], values) for q in refusals]
            if not any(m in text for m in server for text in said):
                missing.append(
                    f"{name}={value!r}: the {language} messages {said!r} "
                    f"say none of the server's {sorted(server)}"
                )
    assert checked, "no probe reached a server check: the sample or the probes are wrong"
    assert not missing, "\n".join(missing)
