"""The shipped plan as data: its 4 priorities, 11 pillars and the funding table exactly."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from hbmm.response import services
from hbmm.response.models import Pillar, Plan, Target

PLAN_TABLE = [
    ("Coordination and Partnerships", 150_000),
    ("Tracking Mobility Impacts", 700_000),
    ("Risk Communication and Community Engagement (RCCE)", 150_000),
    ("Disease Surveillance", 80_000),
    ("Logistics, Procurement and Supply Management", 320_000),
    ("Point of Entry (POE)", 750_000),
    ("National Laboratory System", 150_000),
    ("Infection Prevention and Control", 375_000),
    ("Camp Coordination and Camp Management (CCCM)", 100_000),
    ("Protection", 175_000),
    ("Addressing Socio-Economic Impact", 50_000),
]


@pytest.mark.django_db
def test_the_shipped_plan_is_the_plans_table(plan):
    assert plan.priorities.count() == 4
    pillars = list(Pillar.objects.filter(plan=plan).order_by("number"))
    assert [(p.name_en, int(p.requirement)) for p in pillars] == PLAN_TABLE
    assert sum(p.requirement for p in pillars) == Decimal(3_000_000)
    assert [p.priority.number for p in pillars] == [1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 4]
    assert plan.indicators.count() >= 20
    assert all(p.activities.exists() for p in pillars)
    handwashing = plan.indicators.get(code="handwashing-stations")
    assert handwashing.source == "computed"
    assert handwashing.targets.get().value == 21  # 5 PoEs and 16 cordons


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_a_changed_target_is_a_new_version(plan, tmp_path):
    from hbmm.accounts.models import AuditEvent

    events = AuditEvent.objects.count()
    services.shipped_plan_load()
    assert AuditEvent.objects.count() == events  # nothing changed, nothing logged
    assert Plan.objects.count() == 1
    assert Target.objects.filter(indicator__code="handwashing-stations").count() == 1
    data = services.plan_file_read(services.SHIPPED_PLAN)
    ipc = data["priorities"][1]["pillars"][5]
    assert ipc["code"] == "ipc"
    ipc["indicators"][0]["target"] = "25"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("import_plan", str(path))
    versions = Target.objects.filter(indicator__code="handwashing-stations").order_by("version")
    assert [(t.version, t.value) for t in versions] == [(1, 21), (2, 25)]


@pytest.mark.django_db
def test_a_bad_plan_file_names_the_place_and_stores_nothing(reference, tmp_path):
    data = services.plan_file_read(services.SHIPPED_PLAN)
    data["priorities"][0]["pillars"][1]["requirement"] = "seven hundred"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=r"priorities\[1\]\.pillars\[2\]\.requirement"):
        call_command("import_plan", str(path))
    assert not Plan.objects.exists()
    data = services.plan_file_read(services.SHIPPED_PLAN)
    data["total_requirement"] = "3100000"
    with pytest.raises(services.PlanFileError, match="not the sum"):
        services.plan_import(data=data)
    assert not Plan.objects.exists()
