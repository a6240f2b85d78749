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

from django.utils import translation
from openpyxl import Workbook

LANGUAGES = {"fr": "French (fr)", "en": "English (en)"}


class ServerSays:
    """Constraint messages in the server's own words, in one language, translated when the
    workbook is written (str()), so that a form defined at import time can name them: each of
    `messages` is (msgid, parameters or None) as the mapper or a cleaner writes it
    (`("Must be at least %s.", 0)`), translated with the server's catalogues, joined by a space.
    A form then says what the server would say of the same value (tests/intake/
    test_form_constraints.py checks it). Needs Django set up (settings, translations)."""

    def __init__(self, language: str, *messages: tuple[str, object]):
        self.language = language
        self.messages = messages

    def __str__(self) -> str:
        with translation.override(self.language):
            return " ".join(
                translation.gettext(msgid) % params
                if params is not None
                else translation.gettext(msgid)
                for msgid, params in self.messages
            )


def said(*messages: tuple[str, object]) -> tuple[ServerSays, ServerSays]:
    """The French and English `ServerSays` of `messages`."""
    return ServerSays("fr", *messages), ServerSays("en", *messages)


def server_messages(*messages: tuple[str, object], column="constraint_message") -> dict[str, str]:
    """`column::French (fr)` and `column::English (en)` cells saying `messages` as the server
    does (see ServerSays); `column="required_message"` for a required question's."""
    return {f"{column}::{LANGUAGES[message.language]}": str(message) for message in said(*messages)}


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
