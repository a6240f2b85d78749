"""`hbmm import` and `hbmm reprocess` as an information management officer runs them."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from hbmm.intake.models import ImportFile, Submission


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_csv_reports_quarantined_rows_and_imports_nothing_twice(probe, tmp_path):
    path = tmp_path / "fmr.csv"
    path.write_text(
        "date_observation,site,direction,hommes,women,boys,girls\n"
        "2020-04-28,BCP-GOGUI,incoming,3,2,1,0\n"
        "31/04/2020,BCP-GOGUI,incoming,3,2,1,0\n"
        "29/04/2020,BCP-DIBOLI,outgoing,1,x,1,0\n",
        encoding="utf-8",
    )
    out, err = run("import", "flow_count", str(path), "--no-progress")
    record = ImportFile.objects.get()
    assert out.splitlines() == [
        "row 3: quarantined: observation_date: Ce n’est pas une date (utiliser AAAA-MM-JJ ou "
        "JJ/MM/AAAA). ('31/04/2020')",
        "row 4: quarantined: women: Ce n’est pas un nombre entier. ('x')",
        f"fmr.csv: 3 rows read, 1 accepted, 2 quarantined, 0 already received (import #{record.pk})",
    ]
    out, _err = run("import", "flow_count", str(path), "--no-progress")
    assert out.splitlines()[-1].startswith("fmr.csv: 3 rows read, 0 accepted, 0 quarantined, 3 ")
    assert Submission.objects.count() == 3 and len(probe.saved) == 1


@pytest.mark.django_db
def test_import_xlsx_with_excel_date_cells_and_progress_bar(probe, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Site", "Direction", "Men", "Women", "Boys", "Girls"])
    sheet.append([dt.datetime(2020, 4, 28), "BCP-GOGUI", "Incoming", 3, 2, 1, 0])
    sheet.append([dt.date(2020, 4, 29), "bcp-gogui", "outgoing", 4.0, 2, 1, 0])
    path = tmp_path / "fmr.xlsx"
    workbook.save(path)
    out, err = run("import", "flow_count", str(path))
    assert out.splitlines()[-1].startswith("fmr.xlsx: 2 rows read, 2 accepted, 0 quarantined")
    assert "2/2" in err  # tqdm's bar on stderr
    assert [(s["observation_date"], s["direction"], s["men"]) for s in probe.saved] == [
        (dt.date(2020, 4, 28), "incoming", 3),
        (dt.date(2020, 4, 29), "outgoing", 4),
    ]
    assert Submission.objects.get(row_number=2).data["Date"] == "2020-04-28"


@pytest.mark.django_db
def test_import_fails_loudly_on_an_unreadable_file(probe, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(CommandError, match="broken.xlsx: the file cannot be read"):
        run("import", "flow_count", str(broken), "--no-progress")
    assert ImportFile.objects.get().status == "failed"
    with pytest.raises(CommandError, match="no such file"):
        run("import", "flow_count", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="unknown kind 'nope'"):
        run("import", "nope", str(broken))


@pytest.mark.django_db
def test_reprocess_command_after_a_mapper_fix(probe, tmp_path):
    path = tmp_path / "fmr.csv"
    path.write_text(
        "jour,site,direction,men,women,boys,girls\n2020-04-28,BCP-GOGUI,incoming,3,2,1,0\n"
    )
    run("import", "flow_count", str(path), "--no-progress")
    assert Submission.objects.get().status == "quarantined"  # "jour" is not a known column
    probe.aliases = {**probe.aliases, "observation_date": ("date", "jour")}  # the fix
    out, _err = run("reprocess", "--form", "flow_count")
    assert out == "flow_count: 1 accepted, 0 still quarantined, 0 superseded, 0 refused edits\n"
    assert Submission.objects.get().status == "accepted"
    with pytest.raises(CommandError, match="unknown form 'nope'"):
        run("reprocess", "--form", "nope")


@pytest.mark.django_db
def test_import_takes_the_kinds_options_as_declared(probe, tmp_path):
    from hbmm.intake.mappers import ImportOption

    probe.import_options = (
        ImportOption("directions", "directions to import", kind="codes", pattern="[A-Z]+"),
        ImportOption("strict", "strict reading"),
    )
    seen = []
    probe.transform_rows = lambda rows, *, options: seen.append(options) or rows
    path = tmp_path / "fmr.csv"
    path.write_text(
        "date,site,direction,hommes,women,boys,girls\n2020-04-28,BCP-GOGUI,incoming,3,2,1,0\n"
    )
    run(
        "import",
        "flow_count",
        str(path),
        "--no-progress",
        "--option",
        "directions=incoming, outgoing",
        "--option",
        "strict=no",
    )
    record = ImportFile.objects.get()
    assert record.options == {"directions": ["INCOMING", "OUTGOING"], "strict": False}
    assert seen == [record.options]

    with pytest.raises(
        CommandError,
        match=r"Unknown import option\(s\) for flow_count: nope \(known: directions, strict\)",
    ):
        run("import", "flow_count", str(path), "--no-progress", "--option", "nope=1")
    with pytest.raises(CommandError, match="directions to import: Not a valid code: IN-COMING."):
        run("import", "flow_count", str(path), "--no-progress", "--option", "directions=in-coming")
    with pytest.raises(CommandError, match="write NAME=VALUE"):
        run("import", "flow_count", str(path), "--no-progress", "--option", "directions")
    assert ImportFile.objects.count() == 1  # a refused option stores no file


@pytest.mark.django_db
def test_epi_series_import_options_from_the_command_line(reference, tmp_path):
    """The health app's series files declare `countries` and `neighbours`."""
    path = tmp_path / "countries-aggregated.csv"
    path.write_text(
        "Date,Country,Confirmed,Recovered,Deaths\n"
        "2020-05-15,Mali,806,455,46\n"
        "2020-05-15,Senegal,2480,1034,25\n"
        "2020-05-15,Niger,889,0,0\n"
    )
    out, _err = run(
        "import",
        "epi_countries_aggregated",
        str(path),
        "--no-progress",
        "--option",
        "countries=sen",
        "--option",
        "neighbours=no",
    )
    record = ImportFile.objects.get()
    assert record.options == {"countries": ["SEN"], "neighbours": False}
    assert (record.rows_read, record.rows_accepted) == (1, 1), out
