"""Editing the plan on the web: a target changed is a new version (date, author, note) and the
figures say which version they measure against; activities added and changed; each write
allowed only to the programme manager (and the administrator), audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.response import figures, selectors
from hbmm.response.models import Activity, Target


@pytest.fixture
def manager(make_user):
    return make_user("programme_manager", areas=["MLI"])


def _progress(plan, user, code):
    (found,) = [
        p
        for p in selectors.indicator_progress(
            plan=plan, scope=user_scope(user), organisations=None, as_of=dt.date(2020, 5, 31)
        )
        if p.indicator.code == code
    ]
    return found


@pytest.mark.django_db
def test_a_changed_target_is_a_new_version_and_figures_name_it(client, plan, manager, indicator):
    rooms = indicator("isolation-rooms-provided")
    assert list(rooms.targets.values_list("version", "value")) == [(1, Decimal(5))]
    client.force_login(manager)
    page = client.post(
        "/response/plan/indicators/isolation-rooms-provided/",
        {"value": "8", "note": "three more cordons"},
    )
    assert page.status_code == 302
    assert list(rooms.targets.order_by("version").values_list("version", "value", "note")) == [
        (1, Decimal(5), "one at each of the five key border posts"),
        (2, Decimal(8), "three more cordons"),
    ]
    latest = rooms.targets.get(version=2)
    assert latest.set_by == manager and latest.set_at is not None
    event = (
        AuditEvent.objects.filter(target="response.target:isolation-rooms-provided")
        .order_by("pk")
        .last()
    )
    assert event.actor == manager
    assert event.details == {
        "area": None,
        "value": "8",
        "version": 2,
        "note": "three more cordons",
    }
    progress = _progress(plan, manager, "isolation-rooms-provided")
    with translation.override("en"):
        figure = figures.indicator_figure(progress, plan=plan, as_of=dt.date(2020, 5, 31))
    assert figure.denominator == 8 and figure.parts["target_version"] == 2
    assert "version 2 of the target" in figure.definition
    detail = client.get("/response/plan/indicators/isolation-rooms-provided/")
    assert detail.status_code == 200
    assert [t.version for t in detail.context["history"]] == [2, 1]
    assert detail.context["current"].version == 2


@pytest.mark.django_db
def test_an_area_target_is_versioned_apart_and_bad_input_names_the_field(
    client, plan, manager, indicator
):
    client.force_login(manager)
    url = "/response/plan/indicators/people-reached/"
    assert client.post(url, {"value": "1000", "area": "ml01"}).status_code == 302
    assert client.post(url, {"value": "1200", "area": "ML01"}).status_code == 302
    targets = indicator("people-reached").targets
    assert list(targets.values_list("area__pcode", "version", "value").order_by("version")) == [
        ("ML01", 1, Decimal(1000)),
        ("ML01", 2, Decimal(1200)),
    ]
    before = Target.objects.count()
    page = client.post(url, {"value": "10", "area": "ML99"})
    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["area"]
    page = client.post(url, {"value": "-1"})
    assert page.status_code == 200 and "value" in page.context["form"].errors
    assert Target.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["im_officer", "partner", "viewer"])
def test_only_the_programme_manager_changes_the_plan(client, plan, make_user, role, indicator):
    user = make_user(role, areas=["MLI"])
    client.force_login(user)
    detail = client.get("/response/plan/indicators/radio-spots/")
    assert detail.status_code == 200 and detail.context["form"] is None
    assert client.post("/response/plan/indicators/radio-spots/", {"value": "3"}).status_code == 403
    assert client.get("/response/plan/pillars/rcce/activities/new/").status_code == 403
    activity = Activity.objects.get(pillar__code="rcce", code="awareness")
    assert client.post(f"/response/plan/activities/{activity.pk}/", {}).status_code == 403
    assert not indicator("radio-spots").targets.exists()


@pytest.mark.django_db
def test_the_administrator_may_change_a_target(client, plan, make_user, indicator):
    client.force_login(make_user("admin", areas=["MLI"]))
    page = client.post("/response/plan/indicators/radio-spots/", {"value": "30"})
    assert page.status_code == 302
    assert indicator("radio-spots").targets.get().version == 1


@pytest.mark.django_db
def test_a_percentage_target_is_at_most_100(client, plan, manager, indicator):
    rooms = indicator("radio-spots")
    rooms.kind = "percentage"
    rooms.save()
    client.force_login(manager)
    page = client.post("/response/plan/indicators/radio-spots/", {"value": "120"})
    assert list(page.context["form"].errors) == ["value"]
    assert not rooms.targets.exists()


@pytest.mark.django_db
def test_activities_are_added_and_changed_with_an_audit_trail(client, plan, manager):
    client.force_login(manager)
    page = client.post(
        "/response/plan/pillars/rcce/activities/new/",
        {"code": "mosques", "text_fr": "Messages dans les mosquées", "text_en": "Mosque messages"},
    )
    assert page.status_code == 302
    added = Activity.objects.get(pillar__code="rcce", code="mosques")
    assert added.number == Activity.objects.filter(pillar__code="rcce").count()
    # the same code again in the pillar: refused, named
    page = client.post(
        "/response/plan/pillars/rcce/activities/new/",
        {"code": "mosques", "text_fr": "x", "text_en": "y"},
    )
    assert page.status_code == 200 and page.context["form"].errors
    page = client.post(
        f"/response/plan/activities/{added.pk}/",
        {"text_fr": "Messages dans les mosquées et les églises", "text_en": "Mosque and church"},
    )
    assert page.status_code == 302
    added.refresh_from_db()
    assert (added.code, added.text_en) == ("mosques", "Mosque and church")
    events = AuditEvent.objects.filter(
        target="response.activity:iom-mali-covid19-sprp-2020:rcce:mosques"
    ).order_by("pk")
    assert [e.details.get("created", False) for e in events] == [True, False]
    event = events.last()
    assert event.actor == manager
    assert event.details["before"]["text_en"] == "Mosque messages"
    assert event.details["after"]["text_en"] == "Mosque and church"
    assert client.get("/response/plan/").status_code == 200
    # an empty text is refused, naming the field; nothing changes
    page = client.post(f"/response/plan/activities/{added.pk}/", {"text_fr": "", "text_en": "z"})
    assert page.status_code == 200 and "text_fr" in page.context["form"].errors
    added.refresh_from_db()
    assert added.text_en == "Mosque and church"
