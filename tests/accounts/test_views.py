"""The "my account" page and the password change."""

import pytest
from django.urls import reverse

PASSWORD = "correct horse battery"


def page(client, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_my_account_shows_translated_roles_and_scope(client, make_user):
    user = make_user("poe_supervisor", areas=["ML01"], sites=["OFF-GAO"])
    client.force_login(user)
    french = page(client, "fr")
    assert "Superviseur de point d&#x27;entrée" in french
    assert "Bureau OIM Gao" in french and "ML01" in french and "Kayes" in french
    english = page(client, "en")
    assert "Point-of-entry supervisor" in english
    assert "IOM sub-office Gao" in english


@pytest.mark.django_db
def test_my_account_lists_own_recent_logins(client, make_user):
    make_user("viewer", username="alice", areas=["MLI"])
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    html = page(client, "en")
    assert "National: you see the records of the whole country." in html
    assert html.count("<td>failed login</td>") == 1 and html.count("<td>login</td>") == 1


@pytest.mark.django_db
def test_user_without_role_or_scope_is_told(client, make_user):
    client.force_login(make_user(None))
    html = page(client, "en")
    assert "No role: ask an administrator." in html
    assert "No scope: you see no records." in html


@pytest.mark.django_db
def test_password_change(client, make_user):
    user = make_user("viewer", username="alice")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_my_account_needs_login(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302
