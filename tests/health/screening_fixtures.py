"""Fixtures shared by the screening and EBS tests (imported by the test modules, so that
the health app's own conftest stays free for the epidemiology tests)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from hbmm.health.ebs.services import focal_point_register
from hbmm.health.screening.services import screening_create
from hbmm.places.models import AdminArea, Site
from hbmm.places.services import site_registry_import

T0 = dt.datetime(2020, 4, 14, 8, 0, tzinfo=dt.UTC)  # a Tuesday, ISO week 2020-W16


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are asserted in English (the source language); pages are asked in English.
    Test users' passwords are hashed quickly (the tests log in with force_login)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # Restore exactly the thread's previous translation state afterwards (override() would
    # leave French activated, changing the language other test modules run in).
    had_state = hasattr(trans_real._active, "value")
    previous = getattr(trans_real._active, "value", None)
    translation.activate("en")
    yield
    if had_state:
        trans_real._active.value = previous
    else:
        translation.deactivate()


@pytest.fixture
def facilities(reference):
    """A referral hospital in Kayes and the national lab in Bamako."""
    site_registry_import(
        rows=[
            (
                1,
                {
                    "code": "HF-KAYES",
                    "name_fr": "Hôpital de Kayes",
                    "name_en": "Kayes hospital",
                    "kinds": "health_facility",
                    "pcode": "ML0103",
                },
            ),
            (
                2,
                {
                    "code": "LAB-INRSP",
                    "name_fr": "INRSP",
                    "name_en": "INRSP",
                    "kinds": "lab",
                    "pcode": "ML0901",
                },
            ),
        ]
    )
    return {
        "hospital": Site.objects.get(code="HF-KAYES"),
        "lab": Site.objects.get(code="LAB-INRSP"),
    }


def fever_cough(**extra):
    """A traveller meeting WHO 2020 definition A."""
    values = {
        "temperature": Decimal("38.5"),
        "symptoms": ["cough"],
        "sex": "male",
        "age": 34,
        "origin_country": "SEN",
    }
    values.update(extra)
    return values


def healthy(**extra):
    values = {"temperature": Decimal("36.8"), "symptoms": [], "sex": "female", "age": 27}
    values.update(extra)
    return values


@pytest.fixture
def screen(reference):
    """screen("BCP-DIBOLI", at, **traveller) -> a Screening (no e-mail unless notify=True)."""

    def make(code="BCP-DIBOLI", at=T0, notify=False, **values):
        values = values or healthy()
        return screening_create(
            point=Site.objects.get(code=code), screened_at=at, notify=notify, **values
        )

    return make


@pytest.fixture
def focal_point(reference):
    return focal_point_register(
        key="CFP-001", name="Awa Traoré", area=AdminArea.objects.get(pcode="ML0103")
    )
