"""Role grant files: an app's roles.json plus any roles_<part>.json beside it."""

import sys

import pytest

from hbmm.accounts.roles import grant_files, role_grants


def test_grant_files_reads_roles_json_and_roles_parts_only(tmp_path, monkeypatch):
    package = tmp_path / "grantsdemo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("roles.json", "roles_screening.json", "roles_ebs.json", "myroles.json", "x.json"):
        (package / name).write_text("{}")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        names = [f.name for f in grant_files("grantsdemo")]
    finally:
        sys.modules.pop("grantsdemo", None)
    assert names == ["roles.json", "roles_ebs.json", "roles_screening.json"]


@pytest.mark.django_db
def test_sub_module_grant_files_add_to_the_role():
    grants = role_grants()
    # From health/roles_screening.json and health/roles_ebs.json.
    assert "health.add_screening" in grants["poe_agent"]
    assert "health.view_identifiers" in grants["poe_agent"]
    assert "health.view_identifiers" not in grants["viewer"]
    assert "health.change_signal" in grants["surveillance_officer"]
