"""Places owns the reference lookups: one country list (ISO 3166-1), and the sites and areas a
batch of rows is checked against, read once per batch and never kept beyond it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hbmm.intake.cleaning import check_area_scope, clean_area, clean_country, clean_site
from hbmm.places.countries import countries, country_code, country_name, is_country
from hbmm.places.lookups import Lookups, is_active_on, kinds_of
from hbmm.places.models import AdminArea, Site, SiteKind


def test_the_country_list_is_iso_3166():
    assert len(countries()) == 249
    assert all(len(code) == 3 and code.isupper() for code in countries())
    assert country_name("GIN") == "Guinée" and country_name("GIN", french=False) == "Guinea"
    assert country_name("XKX") == "XKX"  # not a country: the code itself


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("GIN", "GIN"),
        ("gin", "GIN"),
        ("Guinée", "GIN"),
        ("guinee", "GIN"),
        ("Guinea", "GIN"),
        ("Cote d'Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Brésil", "BRA"),  # beyond West Africa too
        ("République de Guinée", "GIN"),  # the ISO long names
        ("XYZ", None),  # three letters are not enough
        ("ABC", None),
        ("", None),
        (None, None),
    ],
)
def test_countries_by_code_or_name(value, code):
    assert country_code(value) == code
    assert is_country(code) if code else not is_country(str(value).upper())


@pytest.mark.django_db
def test_a_batch_reads_each_table_once(reference):
    lookups = Lookups()
    with CaptureQueriesContext(connection) as first:
        diboli = lookups.site("bcp-diboli")
        assert lookups.area("ml0901").name_fr
    with CaptureQueriesContext(connection) as again:
        for _ in range(50):
            assert lookups.site("BCP-DIBOLI") is diboli
            assert "bcp" in lookups.site_kinds(diboli)
            assert lookups.area("ML0901") is not None
            assert lookups.site("NOWHERE") is None and lookups.area("ML9999") is None
    assert len(first) == 3  # sites, their kinds, areas
    assert len(again) == 0


@pytest.mark.django_db
def test_a_new_batch_sees_the_registry_as_it_is_now(reference):
    """Nothing is kept between batches: no cache to clear, nothing stale."""
    before = Lookups()
    assert before.site("OFF-NEW") is None
    site = Site.objects.create(
        code="OFF-NEW", name_fr="Bureau neuf", area=AdminArea.objects.get(pcode="ML0901")
    )
    site.kinds.add(SiteKind.objects.get(code="office"))
    assert before.site("OFF-NEW") is None  # this batch's view of the registry
    after = Lookups()
    assert after.site("off-new") == site and after.site_kinds(site) == {"office"}
    assert after.site("Bureau neuf", by_name=True) == site
    assert after.site("Bureau neuf") is None  # by code only, unless asked
    assert kinds_of([site.pk]) == {site.pk: {"office"}}


@pytest.mark.django_db
def test_countries_with_areas(reference):
    lookups = Lookups()
    assert lookups.country_area("Sénégal").pcode == "SEN"
    assert lookups.country_area("senegal").level == AdminArea.Level.COUNTRY
    assert lookups.country_area("France") is None  # a country, but HBMM has no areas for it
    assert lookups.country_area("ML09") is None  # a region is not a country


def test_activity_dates():
    site = Site(code="X", active_from=dt.date(2020, 1, 1), active_to=dt.date(2020, 12, 31))
    assert is_active_on(site, None) and is_active_on(site, dt.date(2020, 6, 1))
    assert not is_active_on(site, dt.date(2019, 12, 31))
    assert not is_active_on(site, dt.date(2021, 1, 1))


@pytest.mark.django_db
def test_the_cleaners_check_site_area_and_scope_in_one_place(reference, make_user):
    lookups = Lookups()
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    regional = make_user("poe_agent", areas=["ML01"])
    errors: list = []
    assert clean_site({"s": "BCP-GOGUI"}, "s", errors, lookups, submitter=agent, kinds=("bcp",))
    assert not errors
    clean_site({"s": "BCP-DIBOLI"}, "s", errors, lookups, submitter=agent, kinds=("lab",))
    assert [e.message for e in errors] == [
        "This site is not a lab.",
        "This site is outside your geographic scope.",
    ]
    errors = []
    area = clean_area({"a": "ml0103"}, "a", errors, lookups, levels=(2,))
    check_area_scope(errors, "a", area, regional)  # ML0103 is in ML01
    check_area_scope(errors, "a", lookups.area("MLI"), regional)  # the country is not
    check_area_scope(errors, "a", lookups.area("MLI"), None)  # a system channel may
    assert [(e.field, e.value, e.message) for e in errors] == [
        ("a", "MLI", "This area is outside your geographic scope.")
    ]
    errors = []
    assert clean_country({"c": "Guinée"}, "c", errors) == "GIN"
    assert clean_country({"c": "XYZ"}, "c", errors) == ""
    assert [e.value for e in errors] == ["XYZ"]


@pytest.mark.django_db
def test_an_unknown_place_is_answered_with_the_closest_known_ones(reference):
    """A near-miss names the known places it is close to, by name or code, accents and case
    ignored ("Bamako" -> "Bamako (point de suivi des flux) (FMP-BAMAKO)"); far off, nothing."""
    lookups = Lookups()
    assert {s.code for s in lookups.site_suggestions("bamako")} >= {"FMP-BAMAKO", "OFF-BAMAKO"}
    assert [s.code for s in lookups.site_suggestions("FMP-BAMAKKO")][0] == "FMP-BAMAKO"
    assert lookups.site_suggestions("zz") == [] and lookups.site_suggestions("QWERTYUIOP") == []
    assert "ML07" in [a.pcode for a in lookups.area_suggestions("gao")]
    assert [a.pcode for a in lookups.area_suggestions("Ségou")][0] == "ML04"

    errors: list = []
    assert clean_site({"s": "Bamako"}, "s", errors, lookups) is None
    message = errors[0].message
    assert message.startswith("Unknown site code. Did you mean: ") and message.endswith("?")
    assert "(FMP-BAMAKO)" in message and "(OFF-BAMAKO)" in message
    errors = []
    clean_area({"a": "ML99"}, "a", errors, lookups)
    assert errors[0].message.startswith("Unknown P-code.")
    errors = []
    clean_site({"s": "QWERTYUIOP"}, "s", errors, lookups)
    assert errors[0].message == "Unknown site code."
