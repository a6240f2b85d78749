import io
from datetime import date

import altair as alt
import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from hbmm.places.models import AdminArea, Site
from hbmm.presentation.charts import ROWS, chart_spec
from hbmm.presentation.figures import Figure
from hbmm.reports import sitrep
from hbmm.reports.registry import Chart, Context, MapPoint, Section, SectionResult
from hbmm.reports.sitrep import system_reader

AS_OF = date(2020, 5, 15)


def national(as_of=AS_OF, area=None):
    return Context.of(system_reader(), as_of=as_of, area=area)


def test_markdown_in_english(reference):
    text = sitrep.render(national(), fmt="md", lang="en").decode()
    assert text.startswith("# Situation overview — Mali\n\n_as of 15 May 2020_\n")
    assert "## Points and places\n\n- **Registered sites:** 14 sites\n" in text
    assert "- **Border crossing point:** 7\n" in text
    assert "- **Flow monitoring point:** 9\n" in text
    assert "### Definitions" in text


def test_markdown_in_french(reference):
    text = sitrep.render(national(), fmt="md", lang="fr").decode()
    assert text.startswith("# Aperçu de la situation — Mali\n\n_au 15 mai 2020_\n")
    assert "## Points et lieux\n\n- **Sites enregistrés\u202f:** 14 sites\n" in text
    assert "- **Point de passage frontalier\u202f:** 7\n" in text


def test_a_section_without_data_says_so(reference):
    Site.objects.update(active_from=date(2021, 1, 1))
    text = sitrep.render(national(), fmt="md", lang="en").decode()
    assert "## Points and places\n\n_No site is registered in this scope on this date._\n" in text
    assert "Registered sites" not in text


def test_narrowed_to_a_region(reference):
    kayes = AdminArea.objects.get(pcode="ML01")
    text = sitrep.render(national(area=kayes), fmt="md", lang="en").decode()
    assert text.startswith("# Situation overview — Kayes\n")
    assert "- **Registered sites:** 3 sites\n" in text


def chart_and_map_section(ctx):
    chart = alt.Chart(ROWS).mark_bar().encode(x="v:Q", y="k:N")
    rows = [{"k": "a", "v": 3}, {"k": "b", "v": 5}]
    return SectionResult(
        figures=[Figure(key="t.n", label="Things", value=8)],
        charts=[Chart(key="t.chart", title="Things by kind", spec=chart_spec(chart, rows=rows))],
        map_points=[
            MapPoint("P1", "Gogui", 15.69, -9.33, "open", "Open", "#067647"),
            MapPoint("P2", "Sona", None, None, "closed", "Closed", "#b42318"),
        ],
        map_title="Things on a map",
    )


def test_html_is_self_contained(reference, extra_sections):
    extra_sections(Section(key="t.graphics", title="Graphics", build=chart_and_map_section))
    html = sitrep.render(national(), fmt="html", lang="en").decode()
    assert "Things by kind" in html and "Things on a map" in html
    assert "1 site without coordinates, not shown" in html
    assert 'fill="#067647"' in html  # the point, coloured by its status
    assert html.startswith("<!doctype html>")
    assert "<style>" in html and "@page" in html
    assert "<svg" in html  # the chart and the map, inline
    assert 'class="map-svg"' in html
    assert "geoBoundaries" in html  # the boundaries' attribution
    for outside in ("<script", "<link", 'src="http', "src='http", "url(http"):
        assert outside not in html


def test_pdf_opens_with_its_text_and_fits_two_pages(reference):
    pdf = sitrep.render(national(), fmt="pdf", lang="en")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "SITUATION OVERVIEW" in text.upper()
    assert "Registered sites" in text
    assert "15 May 2020" in text


def test_bad_format_or_language_is_named(reference):
    with pytest.raises(ValueError, match="format: 'docx' is not one of pdf, html, md"):
        sitrep.render(national(), fmt="docx", lang="en")
    with pytest.raises(ValueError, match="lang: 'de'"):
        sitrep.render(national(), fmt="md", lang="de")


def test_command_writes_the_file(reference, tmp_path):
    out = tmp_path / "sitrep.md"
    call_command(
        "sitrep", "--as-of", "2020-05-15", "--lang", "en", "--format", "md", "-o", str(out)
    )
    assert "- **Registered sites:** 14 sites" in out.read_text()
    stdout = io.StringIO()
    call_command("sitrep", "--as-of", "2020-05-15", "--lang", "en", "--format", "md", stdout=stdout)
    assert "- **Registered sites:** 14 sites" in stdout.getvalue()


def test_command_narrowed_by_user_and_area(reference, make_user, tmp_path):
    make_user("viewer", areas=["ML03"], username="sikasso")
    out = tmp_path / "s.md"
    call_command(
        "sitrep",
        "--as-of",
        "2020-05-15",
        "--lang",
        "en",
        "--format",
        "md",
        "--user",
        "sikasso",
        "-o",
        str(out),
    )
    assert "- **Registered sites:** 3 sites" in out.read_text()
    # Narrowing a Sikasso reader to Kayes leaves nothing: scope is never widened.
    call_command(
        "sitrep",
        "--as-of",
        "2020-05-15",
        "--lang",
        "en",
        "--format",
        "md",
        "--user",
        "sikasso",
        "--area",
        "ML01",
        "-o",
        str(out),
    )
    assert "_No site is registered in this scope on this date._" in out.read_text()


def test_command_bad_input(reference):
    with pytest.raises(CommandError, match="--as-of: '15/05/2020' is not a date"):
        call_command("sitrep", "--as-of", "15/05/2020", "--format", "md")
    with pytest.raises(CommandError, match="--area: unknown P-code 'ML99'"):
        call_command("sitrep", "--area", "ML99", "--format", "md")
    with pytest.raises(CommandError, match="--user: no user 'ghost'"):
        call_command("sitrep", "--user", "ghost", "--format", "md")
