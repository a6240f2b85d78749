import pytest
from django.http import Http404

from hbmm.accounts.scope import get_in_scope_or_404, restrict_to_scope, user_scope
from hbmm.places.models import AdminArea, Site


@pytest.mark.django_db
def test_region_scope_sees_its_subtree_only(make_user):
    kayes_user = make_user("im_officer", areas=["ML01"])
    visible = set(restrict_to_scope(Site.objects.all(), kayes_user).values_list("code", flat=True))
    assert "BCP-DIBOLI" in visible and "OFF-KAYES" in visible and "BCP-GOGUI" in visible
    assert "OFF-GAO" not in visible


@pytest.mark.django_db
def test_site_scope_sees_that_site_only(make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    visible = list(restrict_to_scope(Site.objects.all(), agent).values_list("code", flat=True))
    assert visible == ["BCP-DIBOLI"]


@pytest.mark.django_db
def test_national_and_empty_scopes(make_user):
    national = make_user("viewer", areas=["MLI"])
    nobody = make_user("viewer")
    assert restrict_to_scope(Site.objects.all(), national).count() == Site.objects.count()
    assert restrict_to_scope(Site.objects.all(), nobody).count() == 0


@pytest.mark.django_db
def test_kayes_user_sees_kayes_sites_not_gao(make_user):
    kayes_user = make_user("viewer", areas=["ML01"])
    visible = sorted(
        restrict_to_scope(Site.objects.all(), kayes_user).values_list("code", flat=True)
    )
    assert visible == ["BCP-DIBOLI", "BCP-GOGUI", "OFF-KAYES"]
    assert get_in_scope_or_404(Site.objects.all(), kayes_user, code="OFF-KAYES").code == "OFF-KAYES"
    with pytest.raises(Http404):
        get_in_scope_or_404(Site.objects.all(), kayes_user, code="OFF-GAO")
    gao_user = make_user("viewer", areas=["ML07"])
    assert list(restrict_to_scope(Site.objects.all(), gao_user).values_list("code", flat=True)) == [
        "OFF-GAO"
    ]


@pytest.mark.django_db
def test_cercle_scope_and_mixed_scope(make_user):
    # The cercle of Kayes (ML0103) holds Diboli and the Kayes office; Gogui is in Nioro (ML0106).
    cercle_user = make_user("viewer", areas=["ML0103"])
    visible = sorted(
        restrict_to_scope(Site.objects.all(), cercle_user).values_list("code", flat=True)
    )
    assert visible == ["BCP-DIBOLI", "OFF-KAYES"]
    mixed = make_user("viewer", areas=["ML0103"], sites=["OFF-GAO"])
    visible = sorted(restrict_to_scope(Site.objects.all(), mixed).values_list("code", flat=True))
    assert visible == ["BCP-DIBOLI", "OFF-GAO", "OFF-KAYES"]


@pytest.mark.django_db
def test_site_scoped_user_sees_no_area_only_records(make_user):
    agent = make_user("poe_agent", sites=["BCP-DIBOLI"])
    assert restrict_to_scope(AdminArea.objects.all(), agent).count() == 0
    kayes_user = make_user("viewer", areas=["ML01"])
    areas = restrict_to_scope(AdminArea.objects.all(), kayes_user)
    assert sorted(areas.values_list("pcode", flat=True))[:3] == ["ML01", "ML0101", "ML0102"]
    assert areas.count() == 8  # the region and its 7 cercles


@pytest.mark.django_db
def test_scope_follows_a_scoped_model_lookup(make_user):
    """A record hanging on a site (here: a scope row itself, through its site) is scoped
    through the lookups the caller names, as later apps' models do."""
    from hbmm.accounts.models import UserScope

    kayes_user = make_user("viewer", areas=["ML01"])
    make_user("poe_agent", sites=["BCP-DIBOLI"])
    make_user("poe_agent", sites=["OFF-GAO"])
    rows = restrict_to_scope(
        UserScope.objects.filter(site__isnull=False),
        kayes_user,
        site_lookup="site",
        area_lookup="site__area",
    )
    assert list(rows.values_list("site__code", flat=True)) == ["BCP-DIBOLI"]


@pytest.mark.django_db
def test_inactive_and_anonymous_users_see_nothing(make_user):
    from django.contrib.auth.models import AnonymousUser

    national = make_user("viewer", areas=["MLI"])
    national.is_active = False
    assert restrict_to_scope(Site.objects.all(), national).count() == 0
    assert restrict_to_scope(Site.objects.all(), AnonymousUser()).count() == 0


@pytest.mark.django_db
def test_scope_contains_an_area_when_it_holds_its_whole_subtree(make_user, area):
    region = user_scope(make_user("viewer", areas=["ML01"]))
    assert region.contains_area(area("ML01")) and region.contains_area(area("ML0103"))
    assert not region.contains_area(area("MLI"))  # the country's figures need a national scope
    assert not region.contains_area(area("ML03"))
    assert user_scope(make_user("viewer", areas=["MLI"])).contains_area(area("BFA"))
    assert not user_scope(make_user("poe_agent", sites=["BCP-DIBOLI"])).contains_area(area("ML01"))
