"""Reading tabular files as they arrive from the field: CSV (UTF-8 with or without BOM,
`,` or `;` delimited, or Latin-1 from old Excel) and XLSX, streamed row by row.

Rows come out as (row_number, {header: value}) with the row number a person sees in a
spreadsheet (the header is row 1). Cells are strings for CSV; XLSX cells keep their type
(dates arrive as datetime).

An XLSX file is a ZIP archive of XML: a few kilobytes can expand to gigabytes, or declare a
sheet sixteen thousand columns wide, and keep a CPU busy for minutes. Before openpyxl reads
one, `xlsx_archive_check` refuses an archive whose members expand beyond
HBMM_XLSX_MAX_UNCOMPRESSED_BYTES in all or more than HBMM_XLSX_MAX_RATIO times their
compressed size (spreadsheets compress 5 to 20 times; Python's zipfile never inflates a
member beyond the size it declares). The reader then ignores the declared sheet dimension and
reads no column beyond the header's. openpyxl parses the XML with defusedxml (no entity
expansion; the hbmm.E003 check makes sure it does).
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

XLSX_MAGIC = b"PK\x03\x04"
# More members or header columns than any spreadsheet of ours has: the wrong file, or a trap.
XLSX_MAX_MEMBERS = 10_000
XLSX_MAX_COLUMNS = 1_000


class TableError(ValueError):
    """The file cannot be read as a table at all."""


def xlsx_archive_check(raw: BinaryIO) -> None:
    """Refuse an XLSX archive that is not a ZIP, or whose expansion is out of bounds
    (TableError with a message for the person who sent it). Leaves `raw` at its start."""
    try:
        with zipfile.ZipFile(raw) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError(_("not a readable XLSX workbook (%(error)s)") % {"error": exc}) from exc
    finally:
        raw.seek(0)
    if len(members) > XLSX_MAX_MEMBERS:
        raise TableError(
            ngettext(
                "the XLSX archive holds %(count)d part, more than %(limit)d: not a spreadsheet",
                "the XLSX archive holds %(count)d parts, more than %(limit)d: not a spreadsheet",
                len(members),
            )
            % {"count": len(members), "limit": XLSX_MAX_MEMBERS}
        )
    total, limit = sum(m.file_size for m in members), settings.HBMM_XLSX_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise TableError(
            _("the XLSX file expands to %(size)s, more than the %(limit)s accepted")
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
        )
    ratio_limit = settings.HBMM_XLSX_MAX_RATIO
    for member in members:
        if member.file_size > ratio_limit * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            raise TableError(
                ngettext(
                    "the XLSX part %(part)s expands %(ratio)d time (to %(size)s), more than "
                    "the %(limit)d a spreadsheet does: refused",
                    "the XLSX part %(part)s expands %(ratio)d times (to %(size)s), more than "
                    "the %(limit)d a spreadsheet does: refused",
                    ratio,
                )
                % {
                    "part": member.filename,
                    "ratio": ratio,
                    "size": filesizeformat(member.file_size),
                    "limit": ratio_limit,
                }
            )


def _text_stream(raw: BinaryIO) -> io.TextIOBase:
    head = raw.read(4096)
    raw.seek(0)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut at the 4096th byte is still UTF-8.
        if exc.start < len(head) - 3:
            encoding = "cp1252"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_rows(raw: BinaryIO) -> Iterator[tuple[int, dict]]:
    """The rows of a CSV file; a file the csv module cannot read on (a cell of more than
    128 KiB, bytes of no encoding read) is a TableError naming the row where it stopped."""
    reading = 1  # the spreadsheet row being read
    try:
        text = _text_stream(raw)
        sample = text.read(4096)
        text.seek(0)
        reader = csv.reader(text, delimiter=_sniff_delimiter(sample))
        try:
            header = next(reader)
        except StopIteration:
            return
        header = [h.strip() for h in header]
        reading = 2
        for number, values in enumerate(reader, start=2):
            reading = number + 1
            cells = list(map(str.strip, values))  # each cell stripped once, in C (a million rows)
            if not any(cells):
                continue
            yield number, dict(zip(header, cells, strict=False))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise TableError(
            _("row %(row)d: the file cannot be read as CSV (%(error)s)")
            % {"row": reading, "error": exc}
        ) from exc


def _open_workbook(raw: BinaryIO):
    from openpyxl import load_workbook

    xlsx_archive_check(raw)
    try:
        return load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise TableError(_("not a readable XLSX workbook (%(error)s)") % {"error": exc}) from exc


def _xlsx_rows(raw: BinaryIO) -> Iterator[tuple[int, dict]]:
    workbook = _open_workbook(raw)
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension ("A1:XFD1048576") would pad every row to its width.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(max_row=1, values_only=True), None)
        if header is None:
            return
        header = [str(h).strip() if h is not None else "" for h in header]
        while header and not header[-1]:
            header.pop()
        if len(header) > XLSX_MAX_COLUMNS:
            raise TableError(
                ngettext(
                    "row 1 has %(count)d column, more than %(limit)d",
                    "row 1 has %(count)d columns, more than %(limit)d",
                    len(header),
                )
                % {"count": len(header), "limit": XLSX_MAX_COLUMNS}
            )
        if not header:
            return
        rows = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            cleaned = (
                v.strip() if isinstance(v, str) else ("" if v is None else v) for v in values
            )
            yield number, dict(zip(header, cleaned, strict=False))
    finally:
        workbook.close()


def read_rows(source: str | Path | BinaryIO, *, filename: str = "") -> Iterator[tuple[int, dict]]:
    """Stream the rows of a CSV or XLSX file (detected from its content, not its name)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield from read_rows(handle, filename=str(source))
        return
    head = source.read(4)
    source.seek(0)
    if head == XLSX_MAGIC or filename.lower().endswith(".xlsx"):
        yield from _xlsx_rows(source)
    else:
        yield from _csv_rows(source)


def count_rows(source: BinaryIO, *, filename: str = "") -> int | None:
    """The number of data rows (header excluded), cheaply, for a progress indicator: lines for
    a CSV (a quoted cell spanning lines makes it an over-estimate), the sheet's declared
    dimension for an XLSX (None when the workbook does not declare it)."""
    head = source.read(4)
    source.seek(0)
    if head == XLSX_MAGIC or filename.lower().endswith(".xlsx"):
        workbook = _open_workbook(source)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
            source.seek(0)
        return max(rows - 1, 0) if rows else None
    lines, last = 0, b"\n"
    for chunk in iter(lambda: source.read(1024 * 1024), b""):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    source.seek(0)
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)
