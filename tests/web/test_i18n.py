"""French by default, English on request; every string of every app translated to French."""

import importlib.util
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

SRC = Path(__file__).resolve().parents[2] / "src" / "hbmm"
APP_PO_FILES = sorted(SRC.glob("*/locale/fr/LC_MESSAGES/django.po"))
# The shared modules outside apps (tabular.py, checks.py...): settings.LOCALE_PATHS.
PO_FILES = [*APP_PO_FILES, SRC / "locale" / "fr" / "LC_MESSAGES" / "django.po"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w*\}")


def test_every_app_has_a_french_catalogue():
    apps = sorted(p.parent.name for p in SRC.glob("*/apps.py"))
    assert sorted(p.parents[3].name for p in APP_PO_FILES) == apps


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parents[3].name)
def test_every_french_entry_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            if sorted(PLACEHOLDER.findall(text)) != expected:
                problems.append(f"placeholders differ: {entry.msgid!r} -> {text!r}")
    assert not problems, f"{po_path}: run `make messages-extract`, translate, `make messages`"
    # The compiled catalogue (committed, so a machine without gettext has it) is up to date.
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run `make messages`"
    # Keyed by context and text: "accepted" (a status) and "accepted" (rows) are two entries.
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(mo_path))}
    stale = [
        e.msgid
        for e in po
        if not e.obsolete
        and (
            (e.msgctxt, e.msgid) not in compiled
            or (not e.msgid_plural and compiled[e.msgctxt, e.msgid].msgstr != e.msgstr)
        )
    ]
    assert not stale, f"{mo_path} is stale for {stale[:5]}: run `make messages`"


@pytest.mark.django_db
def test_french_is_the_default_language(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion" in html and "Nom d’utilisateur ou adresse e-mail" in html
    assert "Gestion de la santé, des frontières et de la mobilité" in html


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client, make_user):
    client.force_login(make_user("viewer", areas=["MLI"]))
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("places:site_list")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("places:site_list")
    html = client.get(reverse("places:site_list")).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Sites</h1>" in html and "All regions" in html and "Log out" in html
    assert "Border crossing point" in html and "IOM sub-office Kayes" in html  # data labels too
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    html = client.get(reverse("places:site_list")).content.decode()
    assert '<html lang="fr">' in html
    assert "Toutes les régions" in html and "Déconnexion" in html
    assert "Point de passage frontalier" in html and "Bureau OIM Kayes" in html


@pytest.mark.django_db
def test_language_switcher_is_on_every_page(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="en"' in html and 'name="language" value="fr"' in html


def _typography():
    spec = importlib.util.spec_from_file_location(
        "french_typography", SRC.parents[1] / "tools" / "french_typography.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parents[3].name)
def test_french_typography(po_path):
    """A narrow no-break space before « : ; ! ? % » and inside guillemets, ’ between letters:
    `python tools/french_typography.py` fixes a catalogue, then `make messages`."""
    assert _typography().problems(po_path) == []
