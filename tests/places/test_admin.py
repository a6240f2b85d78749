"""The Django admin pages of places and accounts open, and moving an area moves its subtree."""

import pytest
from django.contrib import admin
from django.urls import reverse

from hbmm.accounts.models import User
from hbmm.places.models import AdminArea, Site


@pytest.mark.django_db
def test_every_admin_page_opens_for_a_superuser(client, reference):
    root = User.objects.create_superuser("root", "root@example.org", "a long enough password")
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 200
    diboli = Site.objects.get(code="BCP-DIBOLI")
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        changelist = client.get(reverse(f"admin:{info}_changelist"))
        assert changelist.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert client.get(reverse(f"admin:{info}_add")).status_code == 200, info
    assert client.get(reverse("admin:places_site_change", args=[diboli.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_change", args=[root.pk])).status_code == 200
    search = client.get(reverse("admin:places_adminarea_changelist"), {"q": "Kayes"})
    assert search.context["cl"].result_count >= 1


@pytest.mark.django_db
def test_site_admin_saves_a_site(client, reference):
    root = User.objects.create_superuser("root", "root@example.org", "a long enough password")
    client.force_login(root)
    diboli = Site.objects.get(code="BCP-DIBOLI")
    response = client.post(
        reverse("admin:places_site_change", args=[diboli.pk]),
        {
            "code": "BCP-DIBOLI",
            "name_fr": "Diboli",
            "name_en": "Diboli",
            "kinds": [k.pk for k in diboli.kinds.all()],
            "area": diboli.area_id,
            "latitude": "14.4",
            "longitude": "-12.1",
            "neighbour_country": diboli.neighbour_country_id,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    diboli.refresh_from_db()
    assert str(diboli.latitude) == "14.400000"


@pytest.mark.django_db
def test_moving_an_area_moves_its_subtree(reference):
    kayes = AdminArea.objects.get(pcode="ML01")
    koulikoro = AdminArea.objects.get(pcode="ML02")
    kayes.parent = koulikoro  # not real geography: a test of the materialised path
    kayes.save()
    assert AdminArea.objects.get(pcode="ML0103").path == "MLI/ML02/ML01/ML0103/"
    assert AdminArea.objects.filter(path__startswith="MLI/ML02/ML01/").count() == 8
    assert not AdminArea.objects.filter(path__startswith="MLI/ML01/").exists()
