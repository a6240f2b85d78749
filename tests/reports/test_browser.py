"""The overview in headless Chromium: log in, change the date, charts and map drawn, no errors."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

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
def reader(make_user):
    # Created before Playwright starts its event loop (Django refuses ORM calls inside one).
    return make_user("viewer", areas=["MLI"], username="reader", password="correct horse battery")


def test_overview_draws_charts_and_map_and_follows_the_date(live_server, reader, browser):
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"{r.url} {r.failure}") if r.url.startswith(live_server.url) else None
        ),
    )

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", "correct horse battery")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#section-places")

    page.fill("#as-of", "2020-05-15")
    page.click("#overview-filters button[type=submit]")
    page.wait_for_url("**as_of=2020-05-15**")
    page.wait_for_selector(".chart[data-drawn] svg", timeout=15000)

    assert "15 May 2020" in page.inner_text("h1")
    assert page.locator(".chart[data-drawn] svg").count() >= 1
    assert page.locator(".chart svg .mark-rect path").count() >= 1  # the bars
    # Regions (9 polygons) and the 6 sites with coordinates are drawn, with the attribution.
    assert page.locator("svg.map-svg g.areas path").count() == 9
    assert page.locator("svg.map-svg g.points circle").count() == 6
    assert "geoBoundaries" in page.locator("svg.map-svg g.notes").text_content()

    # The definition shows on focus.
    page.focus("[data-figure='places.sites'] .def")
    assert page.is_visible("#def-placessites")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)

    # "Download report" gives the PDF of the same date, made by a background job whose page
    # offers the file when it is ready.
    href = page.get_attribute("#download-pdf", "href")
    assert "as_of=2020-05-15" in href and "format=pdf" in href
    page.click("#download-pdf")
    page.wait_for_selector("#job-file")
    pdf = page.request.get(f"{live_server.url}{page.get_attribute('#job-file', 'href')}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    assert problems == []


def test_the_date_chosen_in_the_header_follows_the_reader(live_server, reader, browser):
    """The as-of date chosen once in the header (hbmm.presentation.as_of) is the date of the
    next pages: the overview opens at it, the status of the points of entry too."""
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/health/poe/status/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", "correct horse battery")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".asof-bar")
    page.fill("#asof-input", "2020-04-03")
    page.click(".asof-bar button[type=submit]")
    page.wait_for_url("**as_of=2020-04-03**")
    assert "3 April 2020" in page.inner_text("h1")
    page.goto(f"{live_server.url}/")
    assert "3 April 2020" in page.inner_text("h1")
    assert page.input_value("#as-of") == "2020-04-03"
    page.goto(f"{live_server.url}/health/poe/status/")
    assert "3 April 2020" in page.inner_text("h1")
    page.click(".asof-bar a")  # back to the latest data
    assert "?as_of=" not in page.url or "latest" in page.url
    assert "3 April 2020" not in page.inner_text("h1")
    assert problems == []
