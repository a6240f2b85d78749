"""Published reports stay reproducible: the archive keeps what was sent, a record received
after publication changes the live figure and not the published one, the difference drills
down to that record, and `hbmm sitrep --as-known-on` gives the published value back."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from hbmm.presentation.tables import get_table
from hbmm.reports.archive.selectors import changed_records, report_changes
from hbmm.reports.archive.services import report_archive, report_publish
from hbmm.reports.models import PublishedReport
from tests.mobility.conftest import submit  # noqa: F401 -- the real intake pipeline

AS_OF = dt.date(2020, 4, 30)


def flow(day, site, direction, total):
    return {"observation_date": day, "site": site, "direction": direction, "total": total}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def published(reference, submit, make_user, media):  # noqa: F811
    """Two flow counts known, then the national report of 30 April 2020 published."""
    for data in (
        flow("2020-04-01", "BCP-KOUREMALE", "incoming", 60),
        flow("2020-04-02", "BCP-ZEGOUA", "outgoing", 40),
    ):
        assert submit("flow_count", data).status == "accepted"
    officer = make_user("im_officer", areas=["MLI"])
    report = report_publish(by=officer, as_of=AS_OF, languages=("en",))
    report_archive(report=report, reader=officer)
    return officer, report


def _incoming(report):
    figures = {f.key: f for f in report.figures.all()}
    return figures["mobility.flow_incoming"]


def test_a_late_record_changes_the_live_figure_not_the_published_one(published, submit):  # noqa: F811
    officer, report = published
    assert report.status == PublishedReport.Status.DONE
    assert _incoming(report).value == Decimal(60)
    assert report.pdf("en").read()[:4] == b"%PDF"
    late = submit("flow_count", flow("2020-04-03", "BCP-KOUREMALE", "incoming", 8))
    assert late.status == "accepted"

    report.refresh_from_db()
    assert _incoming(report).value == Decimal(60)  # as sent
    changes = {c.figure.key: c for c in report_changes(user=officer, report=report)}
    change = changes["mobility.flow_incoming"]
    assert (change.figure.value, change.live, change.difference) == (60, 68, 8)
    assert change.drillable and change.records == 1
    assert not changes["mobility.flow_outgoing"].changed
    rows = changed_records(user=officer, report=report, figure=change.figure)
    keys = [c.key for c in get_table("mobility.flows").columns]
    got = [dict(zip(keys, row, strict=True)) for row in rows]
    assert [(r["submission_id"], r["site__code"], r["total"]) for r in got] == [
        (late.pk, "BCP-KOUREMALE", 8)
    ]


def test_as_known_on_the_publication_gives_the_published_value(published, submit):  # noqa: F811
    _officer, report = published
    submit("flow_count", flow("2020-04-03", "BCP-KOUREMALE", "incoming", 8))
    now, then = io.StringIO(), io.StringIO()
    call_command("sitrep", "--as-of", "2020-04-30", "--lang", "en", "--format", "md", stdout=now)
    call_command(
        "sitrep",
        "--as-of",
        "2020-04-30",
        "--lang",
        "en",
        "--format",
        "md",
        "--as-known-on",
        report.published_at.isoformat(),
        stdout=then,
    )
    figure = _incoming(report)
    assert figure.displays["en"] == "60"
    assert "100 migrants (60 incoming and 40 outgoing)" in then.getvalue()
    assert "108 migrants (68 incoming and 40 outgoing)" in now.getvalue()
    assert "As HBMM knew it on" in then.getvalue()
    assert "As HBMM knew it on" not in now.getvalue()
    # What the cut cannot do is said, not mixed in silently.
    assert (
        "> These records carry no entry time and are counted as they are now: stock movements.\n"
        in then.getvalue()
    )


def test_pages_and_the_publish_button(client, published, make_user, submit):  # noqa: F811
    officer, report = published
    submit("flow_count", flow("2020-04-03", "BCP-KOUREMALE", "incoming", 8))
    client.force_login(officer)
    listing = client.get(reverse("reports:published_list"))
    assert listing.status_code == 200 and b"published-reports" in listing.content
    detail = client.get(reverse("reports:published_detail", args=[report.pk]))
    assert detail.status_code == 200
    assert "+8" in detail.content.decode()
    pdf = client.get(reverse("reports:published_pdf", args=[report.pk, "en"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:4] == b"%PDF"
    # The button: a worker (inline in tests) archives the report as known at that moment.
    response = client.post(reverse("reports:publish"), {"as_of": "2020-04-30"})
    second = PublishedReport.objects.exclude(pk=report.pk).get()
    assert response.status_code == 302 and second.status == PublishedReport.Status.DONE
    assert _incoming(second).value == Decimal(68)
    # A regional officer sees neither the national report nor its PDF; a viewer cannot publish.
    regional = make_user("im_officer", areas=["ML01"])
    client.force_login(regional)
    assert client.get(reverse("reports:published_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:published_pdf", args=[report.pk, "en"])).status_code == 404
    client.force_login(make_user("viewer", areas=["MLI"]))
    assert client.post(reverse("reports:publish"), {"as_of": "2020-04-30"}).status_code == 403
