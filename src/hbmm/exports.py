"""The one writer of the spreadsheets HBMM hands to people: CSV and XLSX exports of list pages,
drill-downs and tables, and the row reports of file imports.

Every export is a header row (labels), optionally the HXL hashtag row, then the rows. Cells:
None is empty; dates are ISO dates in CSV and dates in XLSX; dicts and lists (counts per
nationality, needs) are JSON; numbers stay numbers.

Formula injection (OWASP "CSV injection"): a text cell that starts with "=", "+", "-", "@", a
tab or a carriage return would be evaluated by Excel or LibreOffice as a formula (a site name
"=HYPERLINK(...)" becomes a live link, "=cmd|..." a DDE call). Such text is written with a
leading single quote, so the spreadsheet shows it as text; only text is changed, a negative
number stored as a number stays a number. The text readers of HBMM never see these files again
(imports read what people upload), so the quote is not undone anywhere.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
LINES_PER_CHUNK = 500


def neutralised(text: str) -> str:
    """`text` as a spreadsheet must show it: with a leading quote when it would start a
    formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_AS_IS = frozenset({int, float, Decimal, dt.date, dt.datetime})


def _value(value):
    """A cell's value for either format (dates still dates, text neutralised)."""
    kind = type(value)  # the common cases first: a million rows x twenty cells pass here
    if kind is str:
        return neutralised(value)
    if kind in _AS_IS:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    if isinstance(value, dict | list | tuple):
        return neutralised(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    return neutralised(str(value))


def _csv_value(value):
    value = _value(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _xlsx_value(value):
    value = _value(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)  # XLSX has no time zones: UTC
    return value


class _Echo:
    """A file-like object whose write returns what it is given (csv.writer to a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[str], rows: Iterable[Sequence], *, hxl: Sequence[str] | None = None
) -> Iterator[str]:
    """The CSV text, line by line (streamed): a byte-order mark so that Excel reads UTF-8, the
    header, the HXL row when given, the rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([neutralised(str(h)) for h in header])
    if hxl:
        yield writer.writerow(list(hxl))
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([_csv_value(v) for v in row]))
        if len(lines) == LINES_PER_CHUNK:  # a chunk of the response per line costs more
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    hxl: Sequence[str] | None = None,
    title: str = "data",
) -> bytes:
    """The XLSX workbook: one sheet named `title` (at most 31 characters), header, HXL row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31] or "data")
    sheet.append([neutralised(str(h)) for h in header])
    if hxl:
        sheet.append(list(hxl))
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(
    fmt: str,
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    hxl: Sequence[str] | None = None,
    title: str = "data",
) -> HttpResponse:
    """The download of `rows` as `fmt` (csv, streamed; or xlsx) named `filename` (without its
    extension)."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(header, rows, hxl=hxl), content_type=CSV_TYPE)
    elif fmt == "xlsx":
        body = xlsx_bytes(header, rows, hxl=hxl, title=title)
        response = HttpResponse(body, content_type=XLSX_TYPE)
    else:
        raise ValueError(f"format: '{fmt}' is not one of {', '.join(FORMATS)}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
