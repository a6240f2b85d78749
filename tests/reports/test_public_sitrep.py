"""The public situation report (`hbmm sitrep --public`): small counts of people suppressed with
their complements, as the public release does; facts published as they are."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from hbmm.disclosure import suppress
from hbmm.presentation.figures import FACT, Figure
from hbmm.reports import sitrep
from hbmm.reports.public import public_outputs, withheld_keys
from hbmm.reports.registry import Context, Section, SectionOutput, SectionResult
from hbmm.reports.sitrep import system_reader

AS_OF = date(2020, 5, 15)


def count(key, value, **kwargs):
    return Figure(key=key, label=key, value=value, definition=f"Counted for {key}.", **kwargs)


def test_a_small_count_is_withheld_a_large_one_and_a_fact_are_not():
    figures = [count("a", 3), count("b", 5), count("c", 0), count("d", 2, disclosure=FACT)]
    assert withheld_keys(figures, threshold=5) == {"a"}
    assert withheld_keys(figures, threshold=3) == set()
    assert withheld_keys(figures, threshold=6) == {"a", "b"}


def test_a_count_against_a_target_is_checked_as_a_count_not_as_a_share():
    """22 people against a target of 21: no complement (-1) to protect; 3 against 40 is small."""
    figures = [
        count("passed", 22, denominator=21, against_target=True),
        count("near", 38, denominator=40, against_target=True),  # 2 short of a target is no one
        count("small", 3, denominator=40, against_target=True),
    ]
    assert withheld_keys(figures, threshold=5) == {"small"}


def test_a_share_is_withheld_when_its_value_or_its_complement_is_small():
    figures = [
        count("small", 3, denominator=40),  # 3 of 40
        count("complement", 39, denominator=40),  # 1 of 40 did not: 40 - 39
        count("fine", 20, denominator=40),
        count("none", 0, denominator=40),  # 0 reveals nobody; 40 - 0 is large
        count("tiny", 0, denominator=3),  # the denominator itself is small
    ]
    assert withheld_keys(figures, threshold=5) == {"small", "complement", "tiny"}


def test_parts_of_a_total_are_withheld_with_a_complement():
    """Incoming 3 and outgoing 117 of 120 travellers: 3 is withheld, and 117 too (120 - 117
    would give it back); the total stays."""
    figures = [
        count("all", 120),
        count("in", 3, within="all"),
        count("out", 117, within="all"),
    ]
    assert withheld_keys(figures, threshold=5) == {"in", "out"}
    # A third part large enough: the complement is the smallest other part.
    figures.append(count("internal", 40, within="all"))
    figures[2] = count("out", 77, within="all")
    assert withheld_keys(figures, threshold=5) == {"in", "internal"}
    # No withheld part can be worked out: each hidden value moves with another.
    published = {f.key: f.value for f in figures if f.key not in {"in", "internal"}}
    assert published == {"all": 120, "out": 77}


def test_overlapping_parts_are_each_checked_against_the_total():
    """Women 3 and children 60 of 61 migrants (they overlap: girls): each part against the
    total: women withheld (3), children withheld (61 - 60 = 1)."""
    figures = [
        count("mrrc", 61),
        count("women", 3, within="mrrc"),
        count("kids", 60, within="mrrc"),
    ]
    assert withheld_keys(figures, threshold=5) == {"women", "kids"}


def test_a_public_section_keeps_its_date():
    """The public COVID-19 box read "au n.d.": the public outputs had lost the date asked for."""
    section = Section(key="people", title="People", build=people_section)
    output = SectionOutput(section=section, result=people_section(None), as_of=AS_OF)
    (public,) = public_outputs([output], threshold=5)
    assert public.as_of == AS_OF
    assert [f.key for f in public.result.figures if f.suppressed] == ["t.stranded", "t.referred"]


def test_the_row_rule_is_the_release_rule():
    """A part group is the one-row table the release suppresses (hbmm.disclosure)."""
    result = suppress([[3, 117, 0]], threshold=5)
    assert (0, 0) in result.hidden and (0, 1) in result.hidden and (0, 3) not in result.hidden


def people_section(ctx):
    return SectionResult(
        figures=[
            count("t.stranded", 3),
            count("t.screened", 49),
            count("t.referred", 48, denominator=49),
            count("t.points", 2, disclosure=FACT),
        ],
        sentences=["3 stranded migrants were counted at Gogui."],
    )


@pytest.fixture
def people(extra_sections):
    extra_sections(Section(key="people", title="People", build=people_section, order=1))


def national():
    return Context.of(system_reader(), as_of=AS_OF)


def test_the_internal_report_shows_the_small_count(reference, people):
    text = sitrep.render(national(), fmt="md", lang="en").decode()
    assert "- 3 stranded migrants were counted at Gogui.\n" in text
    assert "Counted for t.stranded." in text
    assert "suppressed" not in text.lower()


def test_the_public_report_withholds_it_with_a_footnote_in_english(reference, people):
    text = sitrep.render(national(), fmt="md", lang="en", public=True).decode()
    assert text.startswith("# Public situation overview — Mali\n")
    assert "## People\n\n- **t.stranded:** suppressed\u2020\n" in text
    assert "- **t.screened:** 49\n" in text
    assert "- **t.referred:** suppressed\u2020\n" in text  # 1 of 49 was not referred
    assert "- **t.points:** 2\n" in text  # a fact about places
    assert "Gogui" not in text  # sentences are written from the records
    assert "Counted for t.stranded." not in text  # nor the definitions of counts
    assert (
        "\u2020 Suppressed: a count of people from 1 to 4 is not published, nor a count that "
        "would let one be worked out from a total or a difference" in text
    )


def test_a_section_of_protection_data_is_left_out_whatever_its_counts(reference, extra_sections):
    extra_sections(Section(key="cases", title="Cases", build=people_section, order=1, public=False))
    internal = sitrep.render(national(), fmt="md", lang="en").decode()
    assert "3 stranded migrants were counted at Gogui." in internal
    text = sitrep.render(national(), fmt="md", lang="en", public=True).decode()
    assert "## Cases\n\n_Not published: this section holds protection data._\n" in text
    assert "t.screened" not in text and "t.points" not in text


def test_the_public_report_in_french_html_and_pdf(reference, people):
    text = sitrep.render(national(), fmt="md", lang="fr", public=True).decode()
    assert text.startswith("# Aperçu public de la situation — Mali\n")
    assert "- **t.stranded\u202f:** secret statistique\u2020\n" in text
    assert "\u2020 Secret statistique\u202f: un effectif de personnes de 1 à 4" in text
    html = sitrep.render(national(), fmt="html", lang="fr", public=True).decode()
    assert "<dt>t.stranded</dt><dd>secret statistique\u2020</dd>" in html
    assert "un effectif de personnes de 1 à 4" in html
    pdf = sitrep.render(national(), fmt="pdf", lang="en", public=True)
    assert pdf.startswith(b"%PDF")


def test_the_threshold_is_a_setting_and_an_option(reference, people, settings):
    settings.HBMM_PUBLIC_MIN_CELL = 3
    text = sitrep.render(national(), fmt="md", lang="en", public=True).decode()
    assert "- **t.stranded:** 3\n" in text
    assert "from 1 to 2 is not published" in text
    out = io.StringIO()
    call_command(
        "sitrep",
        "--as-of",
        "2020-05-15",
        "--format",
        "md",
        "--lang",
        "en",
        "--public",
        "--min-cell",
        "50",
        stdout=out,
    )
    assert "- **t.screened:** suppressed\u2020\n" in out.getvalue()


def test_the_command_refuses_bad_thresholds(reference):
    with pytest.raises(CommandError, match="--min-cell: at least 1"):
        call_command("sitrep", "--public", "--min-cell", "0", "--format", "md")
    with pytest.raises(CommandError, match="--min-cell: only with --public"):
        call_command("sitrep", "--min-cell", "5", "--format", "md")
