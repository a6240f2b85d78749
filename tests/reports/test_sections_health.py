"""The COVID-19 and points-of-entry sections over the health app's demo data (the plan's page)."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytest.importorskip("hbmm.health.selectors")

from hbmm.health import demo as health_demo  # noqa: E402
from hbmm.health import reference as health_reference  # noqa: E402
from hbmm.reports import sitrep  # noqa: E402
from hbmm.reports.registry import Context  # noqa: E402
from hbmm.reports.scope import system_reader  # noqa: E402


@pytest.fixture
def health_data(reference):
    out = io.StringIO()
    health_reference.load(out)
    health_demo.load(out)


def report(as_of: date, lang: str) -> str:
    ctx = Context(user=system_reader(), as_of=as_of)
    return sitrep.render(ctx, fmt="md", lang=lang).decode()


def test_the_plans_page_in_english_and_french_md_html_pdf(health_data):
    text = report(date(2020, 5, 15), "en")
    assert "## COVID-19 situation in Mali as of 15 May 2020\n" in text
    assert "- **Cases confirmed:** 806\n" in text
    assert "- **Recovered cases:** 455\n" in text
    assert "- **Confirmed deaths:** 46\n" in text
    assert (
        "- 40% of the border and transit points evaluated (6 of 15) do not have a sanitary "
        "surveillance system on site.\n" in text
    )
    assert "- 69% of the border and transit points assessed (9 of 13) do not have" in text
    assert "- 57% of the communal points assessed (8 of 14 sanitary cordons) do not have" in text
    assert "- 52% of the points evaluated (17 of 33) do not have a dedicated space" in text
    assert "Between 30 March 2020 and 1 April 2020, 35 points were assessed: 13 border" in text
    assert re.search(r"On 15 May 2020, of 35 points of entry, \d+ were fully operational", text)
    # Every figure carries its definition in the report.
    assert "6 answered “no” out of 15 that answered yes or no; 4 not assessed" in text

    fr = report(date(2020, 5, 15), "fr")
    assert "## Situation de la COVID-19 au Mali au 15 mai 2020\n" in fr
    assert "- **Cas confirmés\xa0:** 806\n" in fr
    assert "- **Guérisons\xa0:** 455\n" in fr
    assert "- **Décès confirmés\xa0:** 46\n" in fr
    assert "- 40\xa0% des points frontaliers et de transit évalués (6 sur 15) n’ont pas" in fr
    assert "- 52\xa0% des points évalués (17 sur 33) n’ont pas d’espace dédié" in fr

    # Before any data, each section says so instead of printing zeros.
    text = report(date(2020, 1, 1), "en")
    assert "_No epidemiological figures have been reported on or before 1 January 2020._" in text
    assert "Cases confirmed" not in text
    assert "points were assessed" not in text

    # The PDF has the charts and the map, and the overview fits on two pages.
    from pypdf import PdfReader

    ctx = Context(user=system_reader(), as_of=date(2020, 5, 15))
    html = sitrep.render(ctx, fmt="html", lang="en").decode()
    assert html.count("<svg") >= 3  # epidemic curve, capacity gaps, map
    assert "Points of entry by operational status on 15 May 2020" in html
    reader = PdfReader(io.BytesIO(sitrep.render(ctx, fmt="pdf", lang="en")))
    texts = [page.extract_text() for page in reader.pages]
    definitions_page = next(n for n, t in enumerate(texts) if "DEFINITIONS" in t.upper())
    assert 1 <= definitions_page <= 2  # the overview itself fits on two pages
    joined = " ".join(texts)
    for words in ("806", "455", "46", "Capacity gaps at points of entry", "Epidemic curve"):
        assert words in joined


def test_overview_page_and_drilldowns(health_data, client, make_user):
    client.force_login(make_user("admin", areas=["MLI"]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?as_of=2020-05-15", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(queries) <= 60
    assert 'id="section-covid"' in html and 'id="section-poe"' in html
    assert ">806</a>" in html
    assert ">6 of 15 points (40%)</a>" in html
    url = re.search(r'href="([^"]*item=surveillance_system[^"]*start=2020-03-30[^"]*)"', html)
    export = client.get(url.group(1).replace("&amp;", "&") + "&format=csv")
    rows = b"".join(export.streaming_content).decode()
    answers = [line.rsplit(",", 1)[-1] for line in rows.strip().splitlines()[2:]]
    assert len(answers) == 19  # 13 border crossing + 6 internal transit points
    assert answers.count("no") == 6 and answers.count("yes") == 9
    bad = client.get("/reports/drilldown/health.capacity/?start=30/03/2020")
    assert bad.status_code == 400
    assert "start: '30/03/2020' is not a date" in bad.content.decode()
    epi = client.get("/reports/drilldown/health.epi/?as_of=2020-05-15&format=csv")
    epi = b"".join(epi.streaming_content).decode()
    assert epi.splitlines()[-1].startswith("2020-05-15,MLI,")
