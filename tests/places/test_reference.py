import pytest

from hbmm.places.models import AdminArea, Site
from hbmm.places.services import reference_load


@pytest.mark.django_db
def test_pcodes_load_counts_parents_and_paths(reference):
    mali = AdminArea.objects.get(pcode="MLI")
    assert AdminArea.objects.filter(country_iso3="MLI", level=1).count() == 10
    assert AdminArea.objects.filter(country_iso3="MLI", level=2).count() == 53
    assert AdminArea.objects.filter(level=0).count() == 8
    kayes_cercle = AdminArea.objects.get(pcode="ML0103")
    assert kayes_cercle.parent.pcode == "ML01"
    assert kayes_cercle.path == "MLI/ML01/ML0103/"
    assert AdminArea.objects.filter(path__startswith=mali.path, level=2).count() == 53
    # French names with their accents (places/data/names-fr.csv); English keeps OCHA's.
    segou = AdminArea.objects.get(pcode="ML04")
    assert (segou.name_fr, segou.name_en) == ("Ségou", "Segou")
    assert AdminArea.objects.get(pcode="ML0202").name_fr == "Dioïla"


@pytest.mark.django_db
def test_reference_load_is_idempotent(reference):
    before = list(AdminArea.objects.values_list("pk", "pcode", "path", "name_fr").order_by("pk"))
    sites_before = list(Site.objects.values_list("pk", "code").order_by("pk"))
    results = reference_load()
    assert results["admin areas"].created == 0
    assert results["admin areas"].updated == 0
    assert (
        list(AdminArea.objects.values_list("pk", "pcode", "path", "name_fr").order_by("pk"))
        == before
    )
    assert list(Site.objects.values_list("pk", "code").order_by("pk")) == sites_before


@pytest.mark.django_db
def test_shipped_border_posts(reference):
    diboli = Site.objects.get(code="BCP-DIBOLI")
    assert diboli.neighbour_country.pcode == "SEN"
    assert diboli.latitude is None
    assert {k.code for k in diboli.kinds.all()} == {"bcp", "fmp"}
    kouremale = Site.objects.get(code="BCP-KOUREMALE")
    assert float(kouremale.latitude) == pytest.approx(11.95335)
    assert (
        Site.objects.of_kind("bcp")
        .filter(code__in=["BCP-KOUREMALE", "BCP-ZEGOUA", "BCP-SONA", "BCP-GOGUI", "BCP-DIBOLI"])
        .count()
        == 5
    )
    assert Site.objects.of_kind("office").count() == 5


@pytest.mark.django_db
def test_pcode_list_update_renames_without_breaking_references(reference):
    from hbmm.places.services import _read_csv, admin_areas_load

    kayes = AdminArea.objects.get(pcode="ML01")
    diboli = Site.objects.get(code="BCP-DIBOLI")
    rows = _read_csv("pcodes-mali-and-neighbours.csv")
    for row in rows:
        if row["P-Code"] == "ML01":
            row["Name"] = "Kayes (renamed)"
    result = admin_areas_load(pcode_rows=rows, country_rows=_read_csv("countries.csv"))
    assert (result.created, result.updated) == (0, 1)
    renamed = AdminArea.objects.get(pcode="ML01")
    assert renamed.pk == kayes.pk and renamed.name_fr == "Kayes (renamed)"
    diboli.refresh_from_db()
    assert diboli.area.parent_id == kayes.pk
    assert AdminArea.objects.get(pcode="ML0103").path == "MLI/ML01/ML0103/"


@pytest.mark.django_db
def test_load_reference_command_twice(reference):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "places: admin areas: 0 created, 0 updated, 210 unchanged" in out.getvalue()
    assert "places: sites: 0 created, 0 updated, 14 unchanged" in out.getvalue()
