"""The main flow in a real browser at 360 px wide (headless Chromium, Playwright): register a
case, record consent, refer it, the recipient accepts and completes, the officer closes it."""

import shutil

import pytest

from hbmm.places.models import Site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]


@pytest.fixture
def actors(transactional_db, people):
    """Created before the browser starts: no database work inside Playwright's event loop."""
    people.site_pk = str(Site.objects.get(code="OFF-MOPTI").pk)
    return people


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
        yield context.new_page()
        browser.close()


def login(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def logout(page):
    menu = page.locator("label.nav-toggle-label")
    if menu.is_visible():  # on a phone the account links fold under the menu button
        menu.click()
    page.click("form[action$='logout/'] button")
    page.wait_for_load_state()


def fits(page) -> bool:
    """Nothing wider than the screen but the tables, which scroll in their own box."""
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_register_refer_accept_close_at_360px(actors, page, live_server):
    url = live_server.url
    login(page, url, "mopti")
    page.goto(f"{url}/protection/cases/new/")
    assert page.locator("h1").inner_text() == "Enregistrer un cas"
    assert fits(page)
    page.select_option("#id_site", actors.site_pk)
    page.fill("#id_name", "Adama Sangaré")
    page.select_option("#id_sex", "male")
    page.select_option("#id_age_group", "18-59")
    page.fill("#id_nationality", "CIV")
    page.check("input[name=vulnerabilities][value=stranded]")
    page.check("input[name=needs][value=health]")
    page.check("#id_consent_services")
    page.check("#id_consent_disclosure")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "PC-" in page.locator("h1").inner_text()
    assert fits(page)
    page.select_option("select[name=provider]", label="Clinic")
    page.select_option("select[name=service_type]", "health")
    page.check("input[name=shared][value=needs]")
    page.click("form[action$='/refer/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".messages").inner_text().strip() == "Référencement fait."
    logout(page)

    login(page, url, "focal")
    page.goto(f"{url}/protection/")
    page.click("main table a")  # the referral received
    page.wait_for_load_state()
    assert "Adama" not in page.content()  # only the needs were shared
    assert fits(page)
    page.select_option("select[name=status]", "accepted")
    page.click("form[action$='/respond/'] button[type=submit]")
    page.wait_for_load_state()
    page.select_option("select[name=status]", "done")
    page.click("form[action$='/respond/'] button[type=submit]")
    page.wait_for_load_state()
    logout(page)

    login(page, url, "mopti")
    page.goto(f"{url}/protection/cases/")
    page.click("tbody a")
    page.wait_for_load_state()
    page.select_option("select[name=status]", "closed")
    page.select_option("select[name=closure_reason]", "needs_met")
    page.click("form[action$='/status/'] button[type=submit]")
    page.wait_for_load_state()
    assert "clos" in page.locator("h1").inner_text()
