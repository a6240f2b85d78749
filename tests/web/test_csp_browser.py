"""In headless Chromium, with HBMM's Content-Security-Policy (no 'unsafe-eval'): every chart
of the chart pages is drawn, no policy violation is reported, and a site name holding HTML is
shown as text in the map's tooltips."""

import io
import os

import pytest

from hbmm.places.services import site_registry_import

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
HOSTILE = '<img src=x onerror="window.hacked=1">Poste'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
]

# Collects what the policy refused, from the first script on.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolations.push(e.violatedDirective + " " + (e.blockedURI || e.sample || ""));
});
"""
CHART_PAGES = ["/", "/health/epi/", "/health/screening/", "/health/poe/capacity/", "/mobility/"]


@pytest.fixture
def reader(transactional_db, make_user):
    """Data and user made before Playwright starts its event loop (no ORM call inside it)."""
    from hbmm.health import reference as health_reference

    health_reference.load(io.StringIO())  # the epidemic curve's series
    site_registry_import(
        rows=[
            (
                1,
                {
                    "code": "BCP-HOSTILE",
                    "name_fr": HOSTILE,
                    "name_en": HOSTILE,
                    "kinds": "bcp",
                    "pcode": "ML0103",
                    "latitude": "14.45",
                    "longitude": "-11.43",
                    "neighbour_country": "SEN",
                },
            )
        ]
    )
    return make_user(None, username="reader", is_superuser=True, password=PASSWORD)


@pytest.fixture
def page(live_server, reader):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 1000})
        page.add_init_script(WATCH_CSP)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "reader")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        yield page
        browser.close()


def test_charts_draw_under_the_policy_without_violations(page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    policy = page.goto(f"{live_server.url}/").headers["content-security-policy"]
    assert "unsafe-eval" not in policy
    for path in CHART_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        holders = page.locator("[data-spec], [data-vega-spec], [data-vega-lite-spec]")
        for i in range(holders.count()):
            holders.nth(i).locator("svg, canvas").first.wait_for(state="attached", timeout=15000)
        assert page.evaluate("window.cspViolations") == [], path
    assert errors == []


def test_map_tooltips_show_names_as_text(page, live_server):
    # The map is drawn on the server (hbmm.presentation.map_svg): a name is text in its
    # point's <title> and beside it, never markup.
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("svg.map-svg g.points circle")
    titles = page.eval_on_selector_all(
        "svg.map-svg g.points title", "ts => ts.map(t => t.textContent)"
    )
    assert any(text.startswith(HOSTILE) for text in titles), titles
    assert page.locator("svg.map-svg img, .map img").count() == 0
    assert page.evaluate("window.hacked") is None
