"""Write an XLSForm workbook from plain Python lists (used by tools/forms/*.py).

The .xlsx in `hbmm/intake/forms/` is what ships and what pyxform converts; a small script that
writes it keeps the form reviewable in code review. Columns are taken from the union of the
rows' keys, in first-seen order, so each row only names the columns it uses:

    write_xlsform(
        "src/hbmm/intake/forms/my_form.xlsx",
        survey=[{"type": "date", "name": "observation_date", "label::French (fr)": "Date",
                 "label::English (en)": "Date", "required": "yes"}],
        choices=[],
        settings={"form_title": "...", "form_id": "my_form", "version": "2020050101",
                  "default_language": "French (fr)"},
    )
"""

from pathlib import Path

from openpyxl import Workbook

from hbmm.intake.form_messages import ServerSays, said, server_messages

__all__ = ["ServerSays", "said", "server_messages", "write_xlsform"]


def _cell(value):
    return str(value) if isinstance(value, ServerSays) else value


def _columns(rows: list[dict]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def write_xlsform(
    path: str | Path, *, survey: list[dict], choices: list[dict], settings: dict
) -> Path:
    workbook = Workbook()
    sheets = [("survey", survey), ("choices", choices), ("settings", [settings])]
    first = True
    for title, rows in sheets:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = title
        columns = _columns(rows) or ["list_name", "name", "label"]
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(column, "")) for column in columns])
    path = Path(path)
    workbook.save(path)
    return path
