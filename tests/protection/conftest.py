"""Protection fixtures: officers of two regions (Mopti, Gao), a team, a GBV officer, a
supervisor, a provider and its focal point."""

import datetime as dt

import pytest
from django.utils import timezone

from hbmm.protection import services
from hbmm.protection.models import ProtectionTeam, ServiceProvider


@pytest.fixture
def people(make_user):
    class People:
        mopti = make_user("protection_officer", areas=["ML05"], username="mopti")
        mopti_mate = make_user("protection_officer", areas=["ML05"], username="mate")
        mopti_other = make_user("protection_officer", areas=["ML05"], username="other")
        gao = make_user("protection_officer", areas=["ML07"], username="gao")
        gbv = make_user("gbv_officer", areas=["ML05"], username="gbv")
        supervisor = make_user("protection_supervisor", areas=["ML05"], username="sup")
        focal = make_user("service_focal_point", areas=["MLI"], username="focal")
        viewer = make_user("viewer", areas=["MLI"], username="viewer")

    team = ProtectionTeam.objects.create(code="mopti-a", name="Mopti A")
    team.members.add(People.mopti, People.mopti_mate)
    People.team = team
    provider = ServiceProvider.objects.create(
        code="msf", name="Clinic", service_types=["health", "mhpss"]
    )
    provider.focal_users.add(People.focal)
    People.provider = provider
    return People


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def register(site, today):
    def make(by, *, site_code="OFF-MOPTI", **values):
        values.setdefault("identified_on", today - dt.timedelta(days=1))
        return services.case_register(by=by, site=site(site_code), **values)

    return make
