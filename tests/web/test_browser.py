"""The language switcher in a real browser (headless Chromium driven by Playwright)."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop: every database call of the test is made by
    # fixtures set up before this one (see `awa`), never while the browser runs.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="fr-FR")
        yield context.new_page()
        browser.close()


@pytest.fixture
def awa(transactional_db, make_user):
    """Created before the browser starts: no database work inside Playwright's event loop."""
    return make_user("viewer", username="awa", areas=["ML01"])


def test_log_in_and_switch_language(awa, page, live_server):
    page.goto(f"{live_server.url}/places/")
    assert page.locator("h1").inner_text() == "Connexion"  # sent to the login page, in French
    page.fill("#id_username", "awa")
    page.fill("#id_password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/places/")
    assert page.locator("h1").inner_text() == "Sites"
    assert page.locator("label", has_text="Région").count() == 1
    page.click("form.lang button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("label", has_text="Region").count() == 1
    assert page.get_by_role("button", name="Log out").is_visible()
    page.click("form.lang button[value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("button", name="Déconnexion").is_visible()
    # Only Kayes' sites are listed for a Kayes user.
    assert page.locator("tbody tr").count() == 3
