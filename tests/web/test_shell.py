"""The web shell: home page, security headers, no third-party assets."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

SRC = Path(__file__).resolve().parents[2] / "src" / "hbmm"
EXTERNAL = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.IGNORECASE)


def test_no_template_or_stylesheet_loads_anything_from_another_site():
    """No CDN: field offices have poor connectivity; every asset is served by HBMM."""
    offenders = []
    for path in list(SRC.glob("*/templates/**/*.html")) + list(SRC.glob("*/static/**/*.css")):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(SRC)}: {m.group(0)}" for m in EXTERNAL.finditer(text)]
        offenders += [
            f"{path.relative_to(SRC)}: @import url(http"
            for _ in re.finditer(r"@import\s+url\(\s*['\"]?https?:", text)
        ]
    assert not offenders


@pytest.mark.django_db
def test_home_needs_login_then_answers(client, make_user):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/"
    client.force_login(make_user("viewer", areas=["MLI"]))
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["user"].is_authenticated


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_staff_see_the_administration_link(client, make_user):
    user = make_user("viewer", areas=["MLI"])
    client.force_login(user)
    assert reverse("admin:index") not in client.get("/").content.decode()
    user.is_staff = True
    user.save()
    assert reverse("admin:index") in client.get("/").content.decode()


@pytest.mark.django_db
def test_denials_render_the_translated_error_pages(client, make_user):
    client.force_login(make_user("viewer", areas=["ML01"]))
    client.cookies["django_language"] = "en"
    forbidden = client.get(reverse("places:site_import"))
    assert forbidden.status_code == 403
    assert "Your role does not allow this action." in forbidden.content.decode()
    missing = client.get(reverse("places:site_detail", args=["OFF-GAO"]))
    assert missing.status_code == 404
    assert "outside your geographic scope" in missing.content.decode()
    client.cookies["django_language"] = "fr"
    assert "Introuvable" in client.get("/no-such-page/").content.decode()
