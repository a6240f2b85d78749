"""The audit log is append-only in fact: an event keeps its actor (users are deactivated, not
deleted), and "My account" finds a user's events by id, not by a name another may take."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.selectors import user_recent_events

PASSWORD = "correct horse battery"


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def root(reference):
    return User.objects.create_superuser("root", "root@example.org", "a long enough password")


@pytest.mark.django_db
def test_my_account_finds_events_by_user_id_not_by_name(client, make_user):
    alice = make_user("viewer", username="alice", areas=["MLI"])
    login(client, "alice", "wrong password")
    login(client, "alice")
    client.post(reverse("accounts:logout"))
    # Alice is renamed; a new account takes her old name.
    alice.username = "alice.traore"
    alice.save()
    newcomer = make_user("viewer", username="alice", areas=["MLI"])
    assert list(user_recent_events(newcomer)) == []
    assert [e.action for e in user_recent_events(alice)] == ["logout", "login", "login_failed"]
    client.force_login(newcomer)
    shown = client.get(reverse("accounts:me")).context["events"]
    assert [(e.action, e.actor) for e in shown] == [("login", newcomer)]  # force_login's


@pytest.mark.django_db
def test_a_user_who_acted_cannot_be_deleted_and_keeps_the_events(client, make_user):
    alice = make_user("viewer", username="alice", areas=["MLI"])
    login(client, "alice")
    with pytest.raises(ProtectedError):
        alice.delete()
    event = AuditEvent.objects.get(action="login")
    assert (event.actor_id, event.actor_username) == (alice.pk, "alice")


@pytest.mark.django_db
def test_deleting_a_user_who_never_acted_is_audited(make_user, root, client):
    client.force_login(root)
    bob = make_user("viewer", username="bob", areas=["MLI"])
    pk = bob.pk
    bob.delete()
    event = AuditEvent.objects.get(target=f"accounts.user:{pk}", details__deleted=True)
    assert event.details == {"user": "bob", "user_id": pk, "deleted": True}


@pytest.mark.django_db
def test_the_admin_deactivates_users_instead_of_deleting_them(client, make_user, root):
    alice = make_user("viewer", username="alice", areas=["MLI"])
    client.force_login(root)
    assert client.get(f"/admin/accounts/user/{alice.pk}/delete/").status_code == 403
    changelist = client.get("/admin/accounts/user/")
    actions = [
        value for value, _label in changelist.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in actions and "deactivate" in actions
    response = client.post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [alice.pk, root.pk]},
        follow=True,
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    root.refresh_from_db()
    assert not alice.is_active and root.is_active  # not oneself
    event = AuditEvent.objects.get(target=f"accounts.user:{alice.pk}", details__flags__isnull=False)
    assert event.actor == root and event.details["flags"] == {"is_active": False}
    client.logout()
    assert login(client, "alice").status_code == 200  # refused: the form again
