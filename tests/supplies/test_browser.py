"""The supplies page on a 360-pixel phone screen (headless Chromium driven by Playwright):
nothing wider than the screen, the forms usable."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]


@pytest.fixture
def ready(transactional_db, make_user, stock):
    """Created before the browser starts: no database work inside Playwright's event loop."""
    from hbmm.places.models import Site
    from hbmm.supplies import services
    from hbmm.supplies.models import Item
    from tests.supplies.conftest import DAY

    user = make_user("logistics_officer", username="moussa", areas=["MLI"])
    stock("WH-BAMAKO", "PPE-MASK-FFP2", 500)
    stock("BCP-GOGUI", "HYG-KIT", 40)
    services.distribution_record(
        actor=user,
        holder=services.holder_for_site(Site.objects.get(code="BCP-GOGUI")),
        item=Item.objects.get(code="HYG-KIT"),
        quantity=30,
        occurred_on=DAY,
    )
    return user


@pytest.fixture
def phone(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
        yield context.new_page()
        browser.close()


def _no_wider_than_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide"


def test_supplies_page_and_dispatch_form_fit_a_phone(ready, phone, live_server):
    phone.goto(f"{live_server.url}/accounts/login/?next=/supplies/%3Fas_of%3D2020-04-06")
    phone.fill("#id_username", "moussa")
    phone.fill("#id_password", "correct horse battery")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Approvisionnements"
    assert phone.get_by_text("Stock par détenteur").is_visible()
    _no_wider_than_the_screen(phone)
    phone.goto(f"{live_server.url}/supplies/dispatches/new/")
    assert phone.locator("h1").inner_text() == "Expédition"
    _no_wider_than_the_screen(phone)
