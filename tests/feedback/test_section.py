"""The "Community feedback" section of the overview and the report: exact sentences and
figures in English and French, no text of any entry, hidden without the permission, "no data"
for an empty week."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from hbmm.feedback.services import feedback_answer
from hbmm.reports.registry import Context, sections_for
from hbmm.reports.sections import feedback as section
from tests.feedback.conftest import R0, D, H

pytestmark = pytest.mark.django_db
SAID = "Les Guinéens du quartier ont apporté le virus."


def test_section_sentences_and_figures(log_entry, make_user):
    first = log_entry(R0, kind="rumour", topic="stigma", text=SAID)
    log_entry(R0 + D, kind="rumour", topic="stigma")
    log_entry(R0 + D, kind="rumour", topic="border_closure")
    log_entry(R0 + 2 * D, kind="question", topic="symptoms", pcode="ML07")
    feedback_answer(feedback=first, by=None, answer="Non.", at=R0 + 5 * H)
    reader = make_user("programme_manager", areas=["MLI"])
    ctx = Context.of(reader, as_of=dt.date(2020, 4, 24))
    result = section.build(ctx)
    assert result.sentences == [
        "From 18 April 2020 to 24 April 2020, 4 community feedback entries were received "
        "(rumours: 3, questions: 1, complaints: 0); answered within 72 hours: 1; waiting for "
        "an answer: 3.",
        "Most frequent rumours: migrants and stigma (2), border closure (1).",
        # no 4W report in this world: the reach is said to be missing (tests/feedback/test_reach.py)
        "RCCE reach: no 4W report gives people reached by awareness sessions in April 2020 "
        "(4 feedback entries in its weeks).",
    ]
    assert [f.display for f in result.figures] == [
        "4 entries",
        "3 of 4 entries (75%)",
        "1 of 4 entries (25%)",
        "3 of 4 entries (75%)",
        "2 of 3 rumours (67%)",
        "1 of 3 rumours (33%)",
    ]
    assert result.charts[0].key == "feedback.weekly_topics"
    assert SAID not in str(result.sentences) + str([f.definition for f in result.figures])
    with translation.override("fr"):
        french = section.build(ctx).sentences
    assert french == [
        "Du 18 avril 2020 au 24 avril 2020, 4 retours communautaires ont été reçus "
        "(rumeurs\u202f: 3, questions\u202f: 1, plaintes\u202f: 0)\u202f; réponse en moins de 72 "
        "heures\u202f: 1\u202f; en attente de réponse\u202f: 3.",
        "Rumeurs les plus fréquentes\u202f: migrants et stigmatisation (2), "
        "fermeture de frontière (1).",
        "Portée de la communication sur les risques\u202f: aucun rapport 4W ne donne les "
        "personnes touchées par les séances de sensibilisation en avril 2020 (4 retours "
        "communautaires dans ses semaines).",
    ]
    gao = section.build(Context.of(make_user("im_officer", areas=["ML07"]), as_of=ctx.as_of))
    assert gao.figures[0].value == 1 and len(gao.sentences) == 2  # no rumour in Gao
    assert gao.sentences[0].startswith(
        "From 18 April 2020 to 24 April 2020, 1 community feedback entry was received "
    )
    empty = section.build(Context.of(reader, as_of=dt.date(2020, 6, 30)))
    assert empty.no_data_message == (
        "No community feedback was received from 24 June 2020 to 30 June 2020."
    )


def test_section_needs_the_permission(make_user):
    assert "feedback" in [s.key for s in sections_for(make_user("viewer", areas=["MLI"]))]
    assert "feedback" not in [s.key for s in sections_for(make_user("poe_agent", areas=["MLI"]))]


def test_overview_page_shows_the_section_with_its_chart_and_drilldowns(
    client, log_entry, make_user
):
    log_entry(R0, kind="rumour", topic="stigma", text=SAID)
    client.force_login(make_user("viewer", areas=["MLI"]))
    page = client.get(
        reverse("reports:overview"), {"as_of": "2020-04-24"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "<h2" in page and "Community feedback" in page
    assert 'data-figure="feedback.rumours"' in page
    assert "/feedback/log/?end=2020-04-24&amp;kind=rumour&amp;start=2020-04-18" in page
    assert "Community feedback per week, by topic" in page
    assert SAID not in page
