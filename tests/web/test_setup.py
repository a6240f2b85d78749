"""`hbmm setup` (what `make run` runs at each start) is idempotent and creates one admin."""

import io

import pytest
from django.core.management import call_command

from hbmm.accounts.models import AuditEvent, User
from hbmm.places.models import AdminArea, Site


@pytest.mark.django_db
def test_setup_twice_keeps_data_and_creates_one_administrator():
    first = io.StringIO()
    call_command("setup", "--no-demo", stdout=first)
    assert "Administrator created: username 'admin'" in first.getvalue()
    admin = User.objects.get(is_superuser=True)
    assert admin.groups.filter(name="admin").exists()
    assert list(admin.scopes.values_list("area__pcode", flat=True)) == ["MLI"]
    assert AdminArea.objects.filter(country_iso3="MLI").count() == 64
    sites = list(Site.objects.values_list("pk", "code"))
    events = AuditEvent.objects.count()

    second = io.StringIO()
    call_command("setup", "--no-demo", stdout=second)
    assert "An administrator exists already; nothing to do." in second.getvalue()
    assert "Administrator created" not in second.getvalue()
    assert User.objects.filter(is_superuser=True).get() == admin
    assert list(Site.objects.values_list("pk", "code")) == sites
    assert AuditEvent.objects.count() == events  # nothing changed, nothing logged


@pytest.mark.django_db
def test_administrator_password_is_random(reference):
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    password = out.getvalue().split("password '")[1].split("'")[0]
    assert len(password) >= 16
    assert User.objects.get(username="admin").check_password(password)
