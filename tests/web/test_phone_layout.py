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

from hbmm.health.labs.services import sample_take
from hbmm.health.screening.services import screening_create
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.models import Site
from hbmm.places.services import site_registry_import
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
    site_registry_import(
        rows=[
            (
                1,
                {
                    "code": "LAB-PHONE",
                    "name_fr": "Laboratoire national de référence",
                    "name_en": "National reference laboratory",
                    "kinds": "lab",
                    "pcode": "ML0901",
                },
            )
        ]
    )
    sample = sample_take(  # its page: the steps and their forms
        sample_id="PHONE-0001",
        point=Site.objects.get(code="BCP-DIBOLI"),
        taken_at=T0,
        lab=Site.objects.get(code="LAB-PHONE"),
        by=None,
    )
    everyone = make_user(
        None, username="everyone", is_superuser=True, is_staff=True, password=PASSWORD
    )
    # A published report, so that the archive's pages (a report's figures then and now) are read.
    published = report_publish(by=everyone, as_of=dt.date(2020, 4, 28), languages=("fr",))
    report_archive(report=published, reader=everyone)
    return {
        "case": f"/health/screening/{case.pk}/",
        "sample": f"/health/labs/samples/{sample.pk}/",
        "samples": "/health/labs/samples/",
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
    assert "intake:imports" in seen  # the import page, its chosen kind's columns open
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
    assert not phone.locator("pre.raw").is_visible()  # folded under its title
    phone.click("details.raw > summary")
    raw = phone.locator("pre.raw").bounding_box()
    assert raw["x"] + raw["width"] <= WIDTH
    assert raw["height"] > 200  # 3,000 characters wrapped over many lines
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= WIDTH


# In every map drawn on the page (hbmm.presentation.map_svg), by the browser's own measure of
# what it drew: a legend over a point, two names over each other, a name over a point other
# than its own (1 px of tolerance: a glyph's box is a little taller than the layout's); in
# every chart, a text past its box or cut with "…".
GRAPHICS = """
() => {
  const shrink = (r) => ({l: r.left + 1, r: r.right - 1, t: r.top + 1, b: r.bottom - 1});
  const hit = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
  const problems = [];
  let maps = 0, points = 0, names = 0;
  document.querySelectorAll("svg.map-svg").forEach((svg) => {
    maps += 1;
    const circles = Array.from(svg.querySelectorAll("g.points circle")).map((c) => shrink(c.getBoundingClientRect()));
    const labels = Array.from(svg.querySelectorAll("g.labels text, g.regions text"));
    points += circles.length;
    names += labels.length;
    svg.querySelectorAll("g.legend text, g.legend circle").forEach((el) => {
      const box = shrink(el.getBoundingClientRect());
      if (circles.some((c) => hit(box, c))) problems.push("legend over a point: " + el.textContent);
    });
    const boxes = labels.map((t) => shrink(t.getBoundingClientRect()));
    boxes.forEach((a, i) => {
      boxes.slice(i + 1).forEach((b, j) => {
        if (hit(a, b)) problems.push("names overlap: " + labels[i].textContent + " / " + labels[i + 1 + j].textContent);
      });
      const over = circles.filter((c) => hit(a, c)).length;
      if (over > 0) problems.push("name over a point: " + labels[i].textContent);
    });
  });
  document.querySelectorAll(".chart-box").forEach((box) => {
    const r = box.getBoundingClientRect();
    box.querySelectorAll(".chart svg text").forEach((t) => {
      const b = t.getBoundingClientRect();
      if (b.width && (b.right > r.right + 1 || b.left < r.left - 1)) problems.push("chart text past its box: " + t.textContent);
      if (t.textContent.includes("…")) problems.push("chart text cut: " + t.textContent);
    });
  });
  return {maps, points, names, problems};
}
"""


def test_maps_and_charts_are_legible_on_a_phone(phone, live_server, pages):
    """The overview (sites by kind), the reporting page (its map of who reported), the PoE
    capacity and the response dashboard: nothing of a map covered, no chart text cut."""
    seen = {}
    for path in ("/", "/reports/reporting/", "/health/poe/capacity/", "/response/"):
        phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("load")
        if phone.locator(".chart").count():
            phone.wait_for_selector(".chart[data-drawn] svg", timeout=20000)
        seen[path] = phone.evaluate(GRAPHICS)
        assert seen[path]["problems"] == [], (path, seen[path]["problems"])
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= WIDTH, path
    assert seen["/"]["maps"] >= 1 and seen["/"]["points"] > 5 and seen["/"]["names"] > 5
    assert seen["/reports/reporting/"]["maps"] == 1
    assert seen["/reports/reporting/"]["points"] > 5
    assert phone.errors == []
