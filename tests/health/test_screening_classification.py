# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Classification against the WHO 2020 suspect case definition: its edge cases, and a new
definition version added as data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hbmm.health.screening.classification import (
    WHO_2020_RULES,
    Facts,
    classify,
    validate_rules,
)
from hbmm.health.screening.definitions import case_definition_add, case_definition_for
from tests.health.screening_fixtures import english  # noqa: F401


def who(**facts):
    return classify(WHO_2020_RULES, Facts(**facts))


def test_fever_at_threshold_with_cough_is_suspect_A():
    result = who(temperature=Decimal("38.0"), symptoms=("cough",))
    assert result.is_suspect and result.matched == ["A"]


def test_just_below_threshold_with_cough_and_no_reported_fever_is_not_suspect():
    result = who(temperature=Decimal("37.9"), symptoms=("cough",))
    assert not result.is_suspect and result.matched == []
    assert result.has_symptoms and not result.has_fever


def test_reported_fever_without_measured_temperature_counts():
    assert who(temperature=None, symptoms=("fever", "shortness_of_breath")).matched == ["A"]


def test_fever_without_respiratory_sign_is_not_suspect():
    result = who(temperature=Decimal("39.2"), symptoms=("headache", "sore_throat"))
    assert not result.is_suspect  # sore throat is not in A's respiratory signs
    assert result.has_fever and result.has_symptoms


def test_contact_with_any_respiratory_symptom_is_suspect_B():
    assert who(symptoms=("runny_nose",), contact=True).matched == ["B"]


def test_contact_unknown_or_no_does_not_count():
    assert not who(symptoms=("runny_nose",), contact=None).is_suspect
    assert not who(symptoms=("runny_nose",), contact=False).is_suspect


def test_contact_without_symptoms_is_not_suspect():
    assert not who(temperature=Decimal("36.5"), contact=True).is_suspect


def test_both_clauses():
    assert who(temperature=Decimal("38.4"), symptoms=("cough",), contact=True).matched == ["A", "B"]


def test_travel_condition_with_a_country_list():
    rules = {
        "fever_threshold_c": 37.5,
        "clauses": [
            {"code": "T", "all": [{"fever": True}, {"travel": ["GIN", "CIV"]}]},
        ],
    }
    assert not classify(rules, Facts(temperature=37.6, origin_country="SEN")).is_suspect
    assert classify(
        rules, Facts(temperature=37.6, origin_country="SEN", countries_visited=("gin",))
    ).is_suspect
    assert not classify(rules, Facts(temperature=37.4, origin_country="GIN")).is_suspect


def test_rules_validation_names_each_problem():
    problems = validate_rules(
        {"fever_threshold_c": 50, "clauses": [{"code": "A", "all": [{"smell": True}]}]}
    )
    assert problems == [
        "fever_threshold_c must be a number between 35 and 42.",
        "clause 1: unknown condition {'smell': True}.",
    ]
    assert validate_rules(WHO_2020_RULES) == []


@pytest.mark.django_db
def test_a_new_version_is_data_and_applies_from_its_date():
    first = case_definition_for(dt.datetime(2020, 4, 1, tzinfo=dt.UTC))
    assert (first.code, first.version) == ("who-2020-03-20", 1)
    rules = {
        "fever_threshold_c": 38.0,
        "clauses": [
            *WHO_2020_RULES["clauses"],
            {"code": "L", "all": [{"symptoms": ["loss_taste_smell"], "min": 1}]},
        ],
    }
    newer = case_definition_add(
        code="who-2020-03-20",
        name_fr="OMS (déc. 2020)",
        name_en="WHO (Dec 2020)",
        valid_from=dt.date(2020, 12, 16),
        rules=rules,
    )
    assert newer.version == 2
    assert case_definition_for(dt.datetime(2020, 12, 1, tzinfo=dt.UTC)) == first
    assert case_definition_for(dt.datetime(2020, 12, 20, tzinfo=dt.UTC)) == newer
    with pytest.raises(ValidationError):
        case_definition_add(
            code="bad", name_fr="x", name_en="x", valid_from=dt.date(2021, 1, 1), rules={}
        )
