import pytest

from hbmm.accounts.scope import restrict_to_scope
from hbmm.places.models import Site


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
