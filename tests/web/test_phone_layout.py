"""Every page of the navigation at 360 x 740 in headless Chromium (agents at border posts use
phones): the document never scrolls sideways (a wide table or chart scrolls inside its own box),
every visible link, button and field of the main content can be reached, and no page logs a
JavaScript error. Also a suspect case (its isolate, refer, sample and close buttons on screen
without any sideways scrolling) and the correction page of a quarantined submission whose raw
record is one very long line.

The pages are the navigation's entries for a superuser (every app's entry, the new ones
included) and, one per URL name, the pages their main content links to."""

import datetime as dt
import io
import json
import os

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from hbmm.health.screening.services import screening_create
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.models import Site
from hbmm.reports.archive.services import report_archive, report_publish
from tests.health.screening_fixtures import T0, fever_cough

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
WIDTH, HEIGHT = 360, 740

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed"),
]

# Links not followed: files, the API, other sites' pages, actions.
SKIP = (".csv", ".xlsx", ".json", ".pdf", "format=", "/api/", "/admin/", "original", "logout")

# What overflows the viewport outside a box that scrolls (or clips) it, and which controls of
# <main> cannot be reached: outside the viewport with no scroll box, or in a scroll box that
# is itself wider than the viewport.
LAYOUT = """
() => {
  const vw = window.innerWidth;
  const boxOf = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== "visible") return a;
    }
    return null;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().replace(/\\s+/g, ".") : "")
    + " «" + (el.textContent || el.value || "").trim().slice(0, 40) + "»";
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || (r.right <= vw + 0.5 && r.left >= -0.5) || boxOf(el)) continue;
    wide.push(name(el) + " right=" + Math.round(r.right));
  }
  const unreachable = [];
  const controls = "main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary";
  for (const el of document.querySelectorAll(controls)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown
    const box = boxOf(el);
    const outer = box ? box.getBoundingClientRect() : r;
    if (outer.left < -0.5 || outer.right > vw + 0.5) unreachable.push(name(el) + " right=" + Math.round(r.right));
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth, innerWidth: vw,
    wide: wide.slice(0, 5), unreachable: unreachable.slice(0, 5),
  };
}
"""


@pytest.fixture
def pages(transactional_db, make_user, settings, tmp_path):
    """Made before Playwright starts its event loop (no database call inside it)."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_reference", stdout=io.StringIO())  # the epidemic series, the response plan
    case = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, notify=True, **fever_cough()
    )
    data = {
        "observation_date": "2020-04-28",
        "site": "BCP-GOGUI",
        "direction": "incoming",
        "men": "-1",  # refused: quarantined
        "women": "1",
        "boys": "0",
        "girls": "0",
        "note": "x" * 3000,
    }
    received = submission_receive(
        channel="openrosa",
        form_id="flow_count",
        instance_id="uuid:phone-1",
        payload=json.dumps(data),
        payload_format="json",
        data=data,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert received.submission.status == "quarantined"
    everyone = make_user(
        None, username="everyone", is_superuser=True, is_staff=True, password=PASSWORD
    )
    # A published report, so that the archive's pages (a report's figures then and now) are read.
    published = report_publish(by=everyone, as_of=dt.date(2020, 4, 28), languages=("fr",))
    report_archive(report=published, reader=everyone)
    return {
        "case": f"/health/screening/{case.pk}/",
        "quarantined": f"/intake/submissions/{received.submission.pk}/",
        "published": reverse("reports:published_detail", args=[published.pk]),
    }


@pytest.fixture
def phone(live_server, pages):
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
        page = browser.new_page(locale="fr-FR", viewport={"width": WIDTH, "height": HEIGHT})
        page.errors = []
        page.on(
            "console",
            lambda m: page.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: page.errors.append(f"{page.url}: {e}"))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "everyone")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        yield page
        browser.close()


def _url_name(path: str) -> str | None:
    try:
        return resolve(path.split("?")[0]).view_name
    except Resolver404:
        return None


def _check(page, url: str) -> dict:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    return page.evaluate(LAYOUT)


def test_every_page_fits_a_phone(phone, live_server, pages):
    nav = phone.eval_on_selector_all("nav.modules a", "as => as.map(a => a.getAttribute('href'))")
    for app in ("/protection/", "/response/", "/supplies/", "/feedback/"):
        assert app in nav, nav
    # The menu is folded: the top bar is one line, the menu opens under its button.
    assert phone.locator("header").bounding_box()["height"] < 80
    assert not phone.locator("nav.modules").is_visible()
    phone.click("label.nav-toggle-label")
    assert phone.locator("nav.modules a").first.is_visible()

    seen = {_url_name(p) for p in nav} | {_url_name("/")}
    todo = ["/", *nav]
    problems = []
    checked = 0
    while todo:
        path = todo.pop(0)
        result = _check(phone, f"{live_server.url}{path}")
        checked += 1
        if result["scrollWidth"] > WIDTH or result["wide"] or result["unreachable"]:
            problems.append((path, result))
        if path in nav or path == "/":  # follow the links of the navigation's pages, once per name
            for href in phone.eval_on_selector_all(
                "main a[href]", "as => as.map(a => a.getAttribute('href'))"
            ):
                if not href.startswith("/") or "?" in href or any(s in href for s in SKIP):
                    continue
                name = _url_name(href)
                if name and name not in seen:
                    seen.add(name)
                    todo.append(href)
    assert checked > 30
    for path in pages.values():
        result = _check(phone, f"{live_server.url}{path}")
        if result["scrollWidth"] > WIDTH or result["wide"] or result["unreachable"]:
            problems.append((path, result))
    assert problems == []
    assert phone.errors == []


def test_a_suspect_cases_actions_are_on_screen(phone, live_server, pages):
    phone.goto(f"{live_server.url}{pages['case']}")
    buttons = phone.locator("table.workflow button")
    labels = [buttons.nth(i).inner_text() for i in range(buttons.count())]
    assert labels == ["Isolement effectué", "Référer", "Prélèvement effectué", "Clore le cas"], (
        labels
    )
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, labels[i]
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= WIDTH


def test_a_long_raw_record_wraps(phone, live_server, pages):
    phone.goto(f"{live_server.url}{pages['quarantined']}")
    raw = phone.locator("pre.raw").bounding_box()
    assert raw["x"] + raw["width"] <= WIDTH
    assert raw["height"] > 200  # 3,000 characters wrapped over many lines
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= WIDTH
