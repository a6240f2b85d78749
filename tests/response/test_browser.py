"""The response dashboard in headless Chromium: the map of where activities happened is drawn
(cercle boundaries and one point per cercle with rows), with no error in the console."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
]


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def manager(make_user, plan, orgs, report):
    # Created before Playwright starts its event loop (Django refuses ORM calls inside one).
    user = make_user(
        "programme_manager", areas=["MLI"], username="manager", password="correct horse battery"
    )
    report(user, orgs["crm"], "hygiene-kits-distributed", "ML0101", value=10)
    report(user, orgs["iom"], "hygiene-kits-distributed", "ML0103", value=10)
    return user


def test_the_dashboard_draws_the_map_of_activities(live_server, manager, browser):
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/?next=/response/%3Fas_of%3D2020-05-31")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "correct horse battery")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#response-map svg.map-svg", timeout=20000)
    # every cercle's boundary, the regions' outlines over them, one point for each of the 2
    # cercles with rows; Bafoulabé named beside its point (the cercle of Kayes has no room
    # left of the region's name "Kayes", at the map's edge)
    cercles = page.evaluate(
        "fetch('/reports/boundaries/adm2.geojson').then(r => r.json()).then(g => g.features.length)"
    )
    assert page.locator("#response-map g.areas path").count() == cercles
    assert page.locator("#response-map g.outlines path").count() == 9
    assert page.locator("#response-map g.points circle").count() == 2
    names = page.eval_on_selector_all(
        "#response-map g.labels text", "ts => ts.map(t => t.textContent)"
    )
    assert names == ["Bafoulabe"]
    assert problems == []
