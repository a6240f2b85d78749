"""Reading tabular files as they arrive from the field: CSV (UTF-8 with or without BOM,
`,` or `;` delimited, or Latin-1 from old Excel) and XLSX, streamed row by row.

Rows come out as (row_number, {header: value}) with the row number a person sees in a
spreadsheet (the header is row 1). Cells are strings for CSV; XLSX cells keep their type
(dates arrive as datetime).
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

XLSX_MAGIC = b"PK\x03\x04"


class TableError(ValueError):
    """The file cannot be read as a table at all."""


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
    text = _text_stream(raw)
    sample = text.read(4096)
    text.seek(0)
    reader = csv.reader(text, delimiter=_sniff_delimiter(sample))
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        yield number, dict(zip(header, (v.strip() for v in values), strict=False))


def _xlsx_rows(raw: BinaryIO) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise TableError(f"not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        header = [str(h).strip() if h is not None else "" for h in header]
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
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise TableError(f"not a readable XLSX workbook ({exc})") from exc
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
