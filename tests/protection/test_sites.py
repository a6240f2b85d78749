"""Temporary sites (CCCM): the site monitoring form through the intake pipeline, the sites
page, the totals."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse

from hbmm.accounts.scope import user_scope
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.intake.xforms import form_convert, form_files
from hbmm.places.models import Site, SiteKind
from hbmm.protection import selectors, services
from hbmm.protection.models import SiteMonitoring

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)


@pytest.fixture
def idp_site(area):
    site = Site.objects.create(
        code="IDP-SEVARE", name_fr="Site de Sévaré", name_en="Sevare site", area=area("ML0506")
    )
    site.kinds.add(SiteKind.objects.get(code="idp_site"))
    return site


def submit(data, user, *, edits=""):
    received = submission_receive(
        channel="openrosa",
        form_id="site_monitoring",
        instance_id=f"uuid:site-{next(_ids)}",
        deprecated_id=edits,
        payload=repr(sorted(data.items())),
        payload_format="xml",
        data={k: str(v) for k, v in data.items()},
        submitter=user,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


def test_the_form_ships_in_french_and_english():
    converted = form_convert(form_files()["site_monitoring"])
    assert converted.form_id == "site_monitoring" and converted.warnings == []
    assert "Tentes d'isolement" in converted.xml and "Isolation tents" in converted.xml


def test_a_visit_through_the_pipeline(make_user, idp_site):
    officer = make_user("protection_officer", areas=["ML05"])
    submission = submit(
        {
            "date": "2020-05-10",
            "site": "IDP-SEVARE",
            "population": "1200",
            "households": "240",
            "isolation_tents": "2",
            "isolation_capacity": "10",
            "handwashing_points": "6",
            "latrines": "12",
            "distancing": "in_progress",
        },
        officer,
    )
    assert submission.status == "accepted", submission.errors
    visit = SiteMonitoring.objects.get()
    assert (visit.population, visit.households, visit.isolation_capacity) == (1200, 240, 10)
    assert visit.distancing == "in_progress" and visit.submission == submission


def test_an_edited_visit_replaces_the_first(make_user, idp_site):
    """A visit edited and sent again (`deprecatedID`): `site_monitoring_save_batch` replaces
    the record its first version made, one visit is left, the edit's figures."""
    officer = make_user("protection_officer", areas=["ML05"])
    visit = {"date": "2020-05-10", "site": "IDP-SEVARE", "population": "1200"}
    first = submit(visit, officer)
    assert first.status == "accepted", first.errors
    edit = submit(
        {**visit, "population": "1300", "latrines": "4"}, officer, edits=first.instance_id
    )
    assert edit.status == "accepted", edit.errors
    (kept,) = SiteMonitoring.objects.all()
    assert (kept.population, kept.latrines, kept.submission_id) == (1300, 4, edit.pk)


def test_bad_visits_are_quarantined_with_their_reasons(make_user, idp_site):
    officer = make_user("protection_officer", areas=["ML05"])
    wrong = submit(
        {"date": "2020-05-10", "site": "OFF-MOPTI", "population": "10", "households": "20"},
        officer,
    )
    assert wrong.status == "quarantined"
    fields = {e["field"] for e in wrong.errors}
    assert fields == {"site", "households"}
    outside = make_user("protection_officer", areas=["ML07"])
    refused = submit({"date": "2020-05-10", "site": "IDP-SEVARE", "population": "5"}, outside)
    assert refused.status == "quarantined"
    assert [e["field"] for e in refused.errors] == ["site"]
    assert not SiteMonitoring.objects.exists()


def test_totals_and_page(client, make_user, idp_site, people):
    today = dt.date.today()
    services.site_monitoring_save(
        rows=[
            {"site": idp_site, "date": today - dt.timedelta(days=40), "population": 900},
            {
                "site": idp_site,
                "date": today - dt.timedelta(days=2),
                "population": 1000,
                "isolation_capacity": 12,
                "distancing": "done",
            },
        ]
    )
    services.referral_pathway_set(
        by=people.supervisor, site=idp_site, need="health", provider=people.provider
    )
    totals = selectors.temporary_sites_totals(scope=user_scope(people.supervisor), on=today)
    assert (totals.sites, totals.monitored, totals.with_isolation) == (1, 1, 1)
    assert (totals.isolation_capacity, totals.population, totals.distancing_done) == (12, 1000, 1)
    gao = selectors.temporary_sites_totals(scope=user_scope(people.gao), on=today)
    assert gao.sites == 0
    client.force_login(people.viewer)
    html = client.get(reverse("protection:sites")).content.decode()
    assert "Site de Sévaré" in html and "Clinic" in html
    assert ">1\u202f000<" in html or ">1\xa0000<" in html or ">1000<" in html
    client.force_login(people.focal)
    assert client.get(reverse("protection:sites")).status_code == 403
