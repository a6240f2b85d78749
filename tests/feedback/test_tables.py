"""Free text is personal data until reviewed: what was said and the answer leave HBMM (the log
page, its CSV and XLSX exports) only for entries a reviewer marked publishable; a consented
name never does. The gate is the table registry's (`Column.gate`), so it holds for every
reader and every format."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hbmm.accounts.scope import EVERYTHING
from hbmm.feedback.services import feedback_answer, feedback_code, feedback_publishable_set
from hbmm.presentation.tables import Column, Query, Table, get_table
from tests.feedback.conftest import R0, H

pytestmark = pytest.mark.django_db
SECRET = "Moussa de Diboli dit que le camp de Kati est contaminé."
PUBLIC = "On dit que la chloroquine protège du virus."


@pytest.fixture
def entries(log_entry, make_user):
    reviewer = make_user("im_officer", areas=["MLI"])
    private = log_entry(
        R0, text=SECRET, kind="rumour", topic="stigma", name_consent=True, source_name="Moussa K."
    )
    feedback_answer(feedback=private, by=reviewer, answer="Réponse privée", at=R0 + H)
    public = log_entry(R0 + H, text=PUBLIC)
    feedback_code(feedback=public, by=reviewer, kind="rumour", topic="prevention")
    feedback_answer(feedback=public, by=reviewer, answer="Non, elle ne protège pas.", at=R0 + 2 * H)
    feedback_publishable_set(feedback=public, by=reviewer, publishable=True)
    return private, public


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_table_reads_text_only_where_publishable(entries):
    private, public = entries
    table = get_table("feedback.log")
    keys = [c.key for c in table.columns]
    rows = {row[0]: dict(zip(keys, row, strict=True)) for row in table.read(Query(EVERYTHING))}
    assert rows[public.pk]["text"] == PUBLIC
    assert rows[public.pk]["answer"] == "Non, elle ne protège pas."
    assert rows[private.pk]["text"] is None and rows[private.pk]["answer"] is None
    assert "source_name" not in keys


@pytest.mark.parametrize("role", ["im_officer", "viewer"])
def test_exports_never_carry_unpublished_text(client, make_user, entries, role):
    private, public = entries
    client.force_login(make_user(role, areas=["MLI"]))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("feedback:table")
    rows = _csv(client.get(url, {"format": "csv"}))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert "What was said" in header and "#description" in tags
    assert len(data) == 2
    flat = "\n".join(",".join(r) for r in rows)
    assert PUBLIC in flat and "Non, elle ne protège pas." in flat
    assert SECRET not in flat and "Réponse privée" not in flat and "Moussa K." not in flat
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert PUBLIC in cells and SECRET not in cells and "Réponse privée" not in cells
    page = client.get(url).content.decode()
    assert PUBLIC in page and SECRET not in page and "Moussa" not in page
    publishable_only = _csv(client.get(url, {"format": "csv", "publishable": "on"}))[2:]
    assert [int(r[0]) for r in publishable_only] == [public.pk]


def test_withdrawn_publication_withdraws_the_text(entries, make_user):
    _private, public = entries
    feedback_publishable_set(
        feedback=public, by=make_user("im_officer", areas=["MLI"]), publishable=False
    )
    table = get_table("feedback.log")
    texts = [
        row[[c.key for c in table.columns].index("text")] for row in table.read(Query(EVERYTHING))
    ]
    assert texts == [None, None]


def test_a_gated_column_needs_a_queryset():
    table = Table(
        key="t",
        title="t",
        permission="x",
        columns=(Column("text", "Text", gate="publishable"),),
        rows=lambda q: [("secret",)],
    )
    with pytest.raises(TypeError, match="gated column needs rows as a QuerySet"):
        table.read(Query(EVERYTHING))


@pytest.mark.parametrize("role", ["im_officer", "viewer"])
def test_the_api_never_carries_unpublished_text(client, make_user, entries, role):
    """The API's list and detail read the table's gated columns too (found when the API met
    the feedback log: it read the columns without their gate)."""
    private, public = entries
    client.force_login(make_user(role, areas=["MLI"]))
    listing = client.get("/api/v1/feedback/log/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert PUBLIC in text and SECRET not in text and "Réponse privée" not in text
    assert "Moussa K." not in text
    for entry, shown in ((private, False), (public, True)):
        detail = client.get(f"/api/v1/feedback/log/{entry.pk}/").content.decode()
        assert (PUBLIC in detail) is shown and SECRET not in detail
