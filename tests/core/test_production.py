"""Production switches: HTTPS settings from the environment, `hbmm check --deploy` clean with
the environment the README documents, OpenRosa Basic authentication refused over plain HTTP,
a Content-Security-Policy without 'unsafe-eval'."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from hbmm.accounts.models import AuditEvent
from hbmm.env import env_header

README = Path(__file__).resolve().parents[2] / "README.md"
PASSWORD = "correct horse battery"


def readme_production_environment() -> dict[str, str]:
    """The production environment block of the README (```env), placeholders filled."""
    block = re.search(r"```env\n(.*?)```", README.read_text(), re.S)
    assert block, "README.md has no ```env block (the production environment)"
    environment = {}
    for line in block.group(1).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _sep, value = line.partition("=")
        environment[name] = value
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSEUDONYM_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    for name, value in environment.items():
        if value.startswith("<"):
            environment[name] = generated[name]
    return environment


def test_deploy_checks_are_clean_with_the_documented_production_environment(tmp_path):
    documented = readme_production_environment()
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"} <= set(
        documented
    )
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEBUG", "SECURE_", "HBMM_", "DATABASE_URL", "ALLOWED_HOSTS"))
        and k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "PSEUDONYM_KEY"}
    }
    environment.update(documented, HBMM_VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "-m", "hbmm.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    # Without the HTTPS switches the same check complains: the test can fail.
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES"):
        environment.pop(name)
    done = subprocess.run(
        [sys.executable, "-m", "hbmm.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W008" in done.stderr


def test_proxy_ssl_header_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    assert env_header("SECURE_PROXY_SSL_HEADER") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "1")
    with pytest.raises(ImproperlyConfigured, match="X-Forwarded-Proto: https"):
        env_header("SECURE_PROXY_SSL_HEADER")
    monkeypatch.delenv("SECURE_PROXY_SSL_HEADER")
    assert env_header("SECURE_PROXY_SSL_HEADER") is None


@pytest.mark.django_db
def test_https_switches_redirect_and_send_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000"


def basic(username, password=PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def enumerator(make_user):
    return make_user("enumerator", username="fatou", areas=["ML01"])


@pytest.mark.django_db
def test_openrosa_basic_authentication_is_refused_over_plain_http(enumerator, settings):
    settings.HBMM_OPENROSA_ALLOW_HTTP = False
    phone = Client(HTTP_AUTHORIZATION=basic("fatou"), HTTP_X_OPENROSA_VERSION="1.0")
    before = AuditEvent.objects.count()
    response = phone.get("/formList", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert b"over HTTPS only" in response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    wrong = Client(HTTP_AUTHORIZATION=basic("fatou", "wrong"), HTTP_X_OPENROSA_VERSION="1.0")
    assert wrong.post("/submission", {}).status_code == 403
    assert AuditEvent.objects.count() == before  # the password was not even checked
    french = phone.get("/formList", HTTP_ACCEPT_LANGUAGE="fr")
    assert "n’accepte ODK Collect et Enketo qu’en HTTPS" in french.content.decode()
    # Over HTTPS (here through the proxy's header) it works.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert phone.get("/formList", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
def test_openrosa_over_plain_http_when_explicitly_allowed(enumerator, settings):
    settings.HBMM_OPENROSA_ALLOW_HTTP = True  # a LAN deployment without TLS, or DEBUG
    phone = Client(HTTP_AUTHORIZATION=basic("fatou"), HTTP_X_OPENROSA_VERSION="1.0")
    assert phone.get("/formList").status_code == 200


def test_openrosa_over_http_is_allowed_by_default_only_with_debug(tmp_path):
    code = "from hbmm import settings as s; print(s.HBMM_OPENROSA_ALLOW_HTTP)"
    values = {}
    for debug in ("0", "1"):
        environment = {**os.environ, "DEBUG": debug, "HBMM_VAR_DIR": str(tmp_path)}
        environment.pop("HBMM_OPENROSA_ALLOW_HTTP", None)
        done = subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True
        )
        values[debug] = done.stdout.strip()
    assert values == {"0": "False", "1": "True"}


@pytest.mark.django_db
def test_content_security_policy_forbids_eval_and_inline_scripts(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_src == ["'self'"]
