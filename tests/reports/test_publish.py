"""The public release: aggregated CSVs with HXL (valid for libhxl), small counts suppressed
with their complements, a datapackage.json with HDX's metadata, no personal data."""

import csv
import io
import json

import hxl
import pytest
from django.core.management import call_command
from pypdf import PdfReader

from hbmm.accounts.models import AuditEvent
from hbmm.disclosure import exposed_cells, suppress
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

pytestmark = pytest.mark.django_db


def _flow(n, day, site, direction, men):
    received = submission_receive(
        channel="openrosa",
        form_id="flow_count",
        instance_id=f"uuid:publish-{n}",
        payload=f"publish-{n}",
        payload_format="xml",
        data={
            "observation_date": day,
            "site": site,
            "direction": direction,
            "men": str(men),
            "women": "0",
            "boys": "0",
            "girls": "0",
            "total": str(men),
        },
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    assert received.submission.status == "accepted", received.submission.errors


@pytest.fixture
def flows(reference):
    _flow(1, "2020-04-01", "BCP-KOUREMALE", "incoming", 120)
    _flow(2, "2020-05-03", "BCP-KOUREMALE", "incoming", 3)  # small: suppressed
    _flow(3, "2020-04-02", "BCP-ZEGOUA", "incoming", 80)
    _flow(4, "2020-05-02", "BCP-ZEGOUA", "incoming", 60)
    _flow(5, "2020-04-05", "BCP-GOGUI", "incoming", 45)
    _flow(6, "2020-05-05", "BCP-GOGUI", "incoming", 52)


def _read(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_the_release_suppresses_small_counts_and_their_complements(flows, tmp_path):
    call_command("publish", "--as-of", "2020-05-31", "-o", str(tmp_path), stdout=io.StringIO())
    lines = _read(tmp_path / "flows-by-point-month.csv")
    assert lines[0] == ["Month", "Point", "Point name", "Direction", "Individuals", "Suppressed"]
    assert lines[1][0] == "#date+month"
    cells = {(r[0], r[1]): r[4] for r in lines[2:]}
    assert cells[("2020-05", "BCP-KOUREMALE")] == ""  # the 3
    withheld = {k for k, v in cells.items() if v == ""}
    assert len(withheld) == 4  # the 3 and three complements on one cycle
    assert cells[("total", "total")] == "360"
    assert "3" not in cells.values()
    # What is left cannot give the 3 back: the published grid's withheld cells are on a cycle.
    grid = suppress([[120, 3], [45, 52], [80, 60]], threshold=5)
    assert not exposed_cells(grid.grid, grid.hidden)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert package["hdx"]["license_id"] == "cc-by-igo"
    assert "suppressed" in package["hdx"]["caveats"]
    flows_resource = next(r for r in package["resources"] if r["name"] == "flows-by-point-month")
    assert flows_resource["suppressed"] == 4
    assert AuditEvent.objects.filter(action="export", target="reports.publish").exists()


def test_every_released_csv_has_a_valid_hxl_row(flows, tmp_path):
    call_command("publish", "--as-of", "2020-05-31", "-o", str(tmp_path), stdout=io.StringIO())
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert {r["name"] for r in package["resources"]} == {
        "flows-by-point-month",
        "idps-by-area-round",
        "poe-status",
        "poe-capacity",
        "covid19-by-month",
        "hbmm-sitrep-public-2020-05-31-fr",
        "hbmm-sitrep-public-2020-05-31-en",
    }
    for resource in package["resources"]:
        if resource["format"] != "csv":
            continue
        text = (tmp_path / resource["path"]).read_text(encoding="utf-8-sig")
        header, tags = text.splitlines()[:2]
        parsed = hxl.data(io.BytesIO(text.encode()), hxl.InputOptions())
        assert [c.display_tag for c in parsed.columns] == tags.split(","), resource["name"]
        assert all(tags.split(",")), resource["name"]
        assert "person_key" not in text and "name" not in tags.split(",")


def test_a_threshold_of_one_suppresses_nothing_and_demo_data_stay_out(flows, tmp_path):
    call_command(
        "publish",
        "--as-of",
        "2020-05-31",
        "--min-cell",
        "1",
        "-o",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    cells = {(r[0], r[1]): r[4] for r in _read(tmp_path / "flows-by-point-month.csv")[2:]}
    assert cells[("2020-05", "BCP-KOUREMALE")] == "3"


def test_bad_arguments_are_named(tmp_path, reference):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as-of"):
        call_command("publish", "--as-of", "31/05/2020", "-o", str(tmp_path))
    with pytest.raises(CommandError, match="--area"):
        call_command("publish", "--as-of", "2020-05-31", "--area", "XX99", "-o", str(tmp_path))


def test_the_release_holds_the_public_situation_report_in_french_and_english(flows, tmp_path):
    """The PDF is the public report: small counts suppressed with the footnote; the internal
    report of the same date shows them."""
    out = io.StringIO()
    call_command("publish", "--as-of", "2020-05-31", "-o", str(tmp_path), stdout=out)
    assert f"{tmp_path}/hbmm-sitrep-public-2020-05-31-en.pdf: Public situation report" in (
        out.getvalue()
    )
    package = json.loads((tmp_path / "datapackage.json").read_text())
    pdfs = [r for r in package["resources"] if r["format"] == "pdf"]
    assert [(r["language"], r["mediatype"]) for r in pdfs] == [
        ("fr", "application/pdf"),
        ("en", "application/pdf"),
    ]
    texts = {}
    for resource in pdfs:
        reader = PdfReader(tmp_path / resource["path"])
        texts[resource["language"]] = " ".join(p.extract_text() for p in reader.pages)
    assert "PUBLIC SITUATION OVERVIEW" in texts["en"]  # the masthead is in capitals
    assert "APERÇU PUBLIC DE LA SITUATION" in texts["fr"]
    assert "count of people from 1 to 4 is not published" in " ".join(texts["en"].split())
