"""The audit log: sessions, permission changes and scope changes, each recorded once."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import roles_sync, user_scope_set
from hbmm.places.models import AdminArea, Site

PASSWORD = "correct horse battery"


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk"))


@pytest.fixture
def admin_client(client, reference):
    root = User.objects.create_superuser("root", "root@example.org", "a long enough password")
    client.force_login(root)
    client.root = root
    return client


@pytest.mark.django_db
def test_login_failed_login_and_logout_are_audited(client, make_user):
    alice = make_user("viewer", username="alice", areas=["MLI"])
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    [failed] = events(AuditEvent.Action.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_username == "alice"
    assert failed.details == {"username": "alice", "locked_out": False}
    assert failed.ip_address == "127.0.0.1"
    [login] = events(AuditEvent.Action.LOGIN)
    assert (login.actor, login.target) == (alice, f"accounts.user:{alice.pk}")
    [logout] = events(AuditEvent.Action.LOGOUT)
    assert logout.actor == alice


@pytest.mark.django_db
def test_failed_login_while_locked_out_is_marked(client, make_user):
    make_user("viewer", username="alice", areas=["MLI"])
    for _ in range(6):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    flags = [e.details["locked_out"] for e in events(AuditEvent.Action.LOGIN_FAILED)]
    assert flags[:4] == [False] * 4 and flags[-1] is True


@pytest.mark.django_db
def test_role_and_permission_changes_are_audited(make_user):
    user = make_user("viewer", areas=["MLI"])
    start = AuditEvent.objects.count()
    im_officer = Group.objects.get(name="im_officer")
    user.groups.add(im_officer)
    user.groups.add(im_officer)  # already there: no change, no entry
    user.groups.remove(Group.objects.get(name="viewer"))
    user.user_permissions.add(Permission.objects.get(codename="add_site"))
    user.user_permissions.clear()
    changes = [e.details for e in AuditEvent.objects.filter(pk__gt=0).order_by("pk")][start:]
    assert changes == [
        {"relation": "groups", "added": ["im_officer"]},
        {"relation": "groups", "removed": ["viewer"]},
        {"relation": "user_permissions", "added": ["places.add_site"]},
        {"relation": "user_permissions", "removed": ["places.add_site"]},
    ]
    assert {e.target for e in events(AuditEvent.Action.PERMISSION_CHANGE)[-4:]} == {
        f"accounts.user:{user.pk}"
    }


@pytest.mark.django_db
def test_group_side_changes_are_audited(make_user):
    user = make_user(None, username="carol")
    viewers = Group.objects.get(name="viewer")
    viewers.user_set.add(user)
    viewers.permissions.remove(Permission.objects.get(codename="view_adminarea"))
    [added, removed] = events(AuditEvent.Action.PERMISSION_CHANGE)[-2:]
    assert (added.target, added.details) == (
        "auth.group:viewer",
        {"relation": "user_set", "added": ["carol"]},
    )
    assert removed.details == {"relation": "permissions", "removed": ["places.view_adminarea"]}
    # Re-synchronising the roles puts the permission back, and says so, once.
    roles_sync()
    [restored] = events(AuditEvent.Action.PERMISSION_CHANGE)[-1:]
    assert restored.details == {"relation": "permissions", "added": ["places.view_adminarea"]}
    count = AuditEvent.objects.count()
    roles_sync()
    assert AuditEvent.objects.count() == count  # nothing changed, nothing logged


@pytest.mark.django_db
def test_superuser_and_staff_flags_are_audited(reference):
    user = User.objects.create_user("dave", password=PASSWORD)
    user.is_staff = True
    user.save()
    user.last_name = "Traoré"
    user.save()  # no privilege change: no entry
    [entry] = events(AuditEvent.Action.PERMISSION_CHANGE, target=f"accounts.user:{user.pk}")
    assert entry.details == {"user": "dave", "flags": {"is_staff": True}}
    root = User.objects.create_superuser("root", "", PASSWORD)
    [created] = events(AuditEvent.Action.PERMISSION_CHANGE, target=f"accounts.user:{root.pk}")
    assert created.details["flags"] == {"is_superuser": True, "is_staff": True}


@pytest.mark.django_db
def test_scope_change_through_the_service_is_audited_once(make_user, area, site):
    user = make_user("viewer", areas=["ML01"])
    boss = make_user("im_officer", areas=["MLI"])
    start = AuditEvent.objects.filter(action=AuditEvent.Action.SCOPE_CHANGE).count()
    user_scope_set(user=user, areas=[area("ML07")], sites=[site("BCP-DIBOLI")], by=boss)
    user_scope_set(user=user, areas=[area("ML07")], sites=[site("BCP-DIBOLI")], by=boss)
    scope_events = events(AuditEvent.Action.SCOPE_CHANGE)[start:]
    assert len(scope_events) == 1
    assert scope_events[0].actor == boss
    assert scope_events[0].details == {
        "user": user.username,
        "before": ["ML01"],
        "after": ["BCP-DIBOLI", "ML07"],
    }


def user_form(user, **changes) -> dict:
    """The POST data of the admin's user change form, with its scope inline."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [],
        "language": "fr",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2020-03-01",
        "date_joined_1": "00:00:00",
        "scopes-TOTAL_FORMS": "0",
        "scopes-INITIAL_FORMS": "0",
        "scopes-MIN_NUM_FORMS": "0",
        "scopes-MAX_NUM_FORMS": "1000",
    }
    scopes = list(user.scopes.all())
    data["scopes-INITIAL_FORMS"] = str(len(scopes))
    for i, scope in enumerate(scopes):
        data.update(
            {
                f"scopes-{i}-id": scope.pk,
                f"scopes-{i}-user": user.pk,
                f"scopes-{i}-area": scope.area_id or "",
                f"scopes-{i}-site": scope.site_id or "",
            }
        )
    data["scopes-TOTAL_FORMS"] = str(len(scopes))
    data.update(changes)
    return data


@pytest.mark.django_db
def test_scope_and_role_changes_in_the_admin_are_audited_once(admin_client, make_user):
    user = make_user("viewer", areas=["ML01"])
    url = reverse("admin:accounts_user_change", args=[user.pk])
    start = AuditEvent.objects.count()
    gao = AdminArea.objects.get(pcode="ML07")
    diboli = Site.objects.get(code="BCP-DIBOLI")
    data = user_form(user)
    data.update(
        {
            "scopes-TOTAL_FORMS": "3",
            "scopes-0-DELETE": "on",  # drop Kayes
            "scopes-1-user": user.pk,
            "scopes-1-area": gao.pk,
            "scopes-2-user": user.pk,
            "scopes-2-site": diboli.pk,
            "groups": [Group.objects.get(name="poe_supervisor").pk],
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert set(user.scopes.values_list("area__pcode", "site__code")) == {
        ("ML07", None),
        (None, "BCP-DIBOLI"),
    }
    new = list(AuditEvent.objects.order_by("pk"))[start:]
    scope = [e for e in new if e.action == AuditEvent.Action.SCOPE_CHANGE]
    assert len(scope) == 1
    assert scope[0].actor == admin_client.root
    assert scope[0].details == {
        "user": user.username,
        "before": ["ML01"],
        "after": ["BCP-DIBOLI", "ML07"],
    }
    roles = [e.details for e in new if e.action == AuditEvent.Action.PERMISSION_CHANGE]
    assert roles == [
        {"relation": "groups", "removed": ["viewer"]},
        {"relation": "groups", "added": ["poe_supervisor"]},
    ]
    assert all(e.actor == admin_client.root for e in new)

    # Saving the page again without a change adds nothing to the audit log.
    count = AuditEvent.objects.count()
    user = User.objects.get(pk=user.pk)
    assert admin_client.post(url, user_form(user)).status_code == 302
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_audit_log_is_append_only(make_user):
    make_user("viewer")
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(target="x")


@pytest.mark.django_db
def test_audit_log_is_read_only_in_the_admin(admin_client):
    event = AuditEvent.objects.first()
    url = reverse("admin:accounts_auditevent_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200  # view only
    assert admin_client.post(url, {"target": "x"}).status_code == 403
    delete = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
