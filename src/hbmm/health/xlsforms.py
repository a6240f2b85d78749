"""What the health XLSForms are written with: the sheets' columns, `q()` (one survey row),
`workbook()`, `sheet_values()` and `write_all()`. The forms themselves are defined in
`epi/xlsforms.py` (epi_bulletin) and `poe/xlsforms.py` (poe_capacity, poe_status), written
with openpyxl to src/hbmm/intake/forms/<form_id>.xlsx (the shipped files; a test checks they
are up to date and convert with pyxform). Field names are the mappers' canonical names;
form_id == mapper form_id.

    python -m hbmm.health.epi.xlsforms    # rewrite the shipped files
    python -m hbmm.health.poe.xlsforms
"""

from pathlib import Path

from hbmm.intake.form_messages import ServerSays, said

FORMS_DIR = Path(__file__).resolve().parent.parent / "intake" / "forms"
FR, EN = "French (fr)", "English (en)"
SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "default",
    "choice_filter",
    f"required_message::{FR}",
    f"required_message::{EN}",
]
CHOICE_COLUMNS = ["list_name", "name", f"label::{FR}", f"label::{EN}"]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "instance_name", "default_language"]

# Constraint messages in the server's words (intake.cleaning's msgids), translated when written.
AT_LEAST_0 = ("Must be at least %s.", 0)
NOT_FUTURE = (". <= today()", *said(("The date is in the future.", None)))
NOT_NEGATIVE = (". >= 0", *said(AT_LEAST_0))


def q(
    type_,
    name,
    fr,
    en,
    *,
    required="",
    relevant="",
    constraint=None,
    default="",
    hint=None,
    choice_filter="",
    required_message=None,
):
    c = constraint or ("", "", "")
    h = hint or ("", "")
    r = required_message or ("", "")
    return [
        type_,
        name,
        fr,
        en,
        h[0],
        h[1],
        required,
        relevant,
        c[0],
        c[1],
        c[2],
        default,
        choice_filter,
        r[0],
        r[1],
    ]


def workbook(definition: dict):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for row in definition["survey"]:
        survey.append([str(v) if isinstance(v, ServerSays) else v for v in row])
    choices = book.create_sheet("choices")
    choices.append(CHOICE_COLUMNS)
    for row in definition["choices"]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    settings.append(definition["settings"])
    return book


def sheet_values(path_or_book) -> dict[str, list[list]]:
    """Every sheet's cell values (for comparing a shipped file with its definition)."""
    from openpyxl import load_workbook

    book = load_workbook(path_or_book) if isinstance(path_or_book, str | Path) else path_or_book
    return {
        sheet.title: [
            ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in book.worksheets
    }


def write_all(forms: dict[str, dict], directory: Path = FORMS_DIR) -> list[Path]:
    """Write each of `forms` (form id -> definition) to `directory`/<form_id>.xlsx."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for form_id, definition in forms.items():
        path = directory / f"{form_id}.xlsx"
        workbook(definition).save(path)
        written.append(path)
    return written
