"""The columns of a kind of file import, explained: name, label, type, required, allowed
values and an example, in the reader's language. The import page lists them, the blank file
(`intake.templates_xlsx`) writes them, and the quarantine page names a field by its label and
says how to fix it.

They are read from what already describes each field, so that nothing can drift: the column
names are the mapper's (`Mapper.aliases`, what the import reads), and label, type, required
and choices come from the form's shipped XLSForm (`intake/forms/<form_id>.xlsx`, what agents
fill on their phones), when the form has one and names the field. A kind without a form (the
epidemic series, the finance export) gets the names and the mapper's example only.
"""

import dataclasses
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from hbmm import typography
from hbmm.intake.mappers import Mapper
from hbmm.intake.parsing import alias_map
from hbmm.text import normalise_name

FORMS_DIR = Path(__file__).resolve().parent / "forms"
FR, EN = "label::French (fr)", "label::English (en)"
HFR, HEN = "hint::French (fr)", "hint::English (en)"

# Column kinds, as a reader needs them (the XLSForm's types, P-codes and countries told apart).
DATE, DATETIME, INTEGER, DECIMAL, TEXT = "date", "datetime", "integer", "decimal", "text"
CHOICE, CHOICES, SITE, AREA, COUNTRY, COUNTRIES = (
    "choice",
    "choices",
    "site",
    "area",
    "country",
    "countries",
)
EXAMPLES = {DATE: "2020-04-28", DATETIME: "2020-04-28 09:30", INTEGER: "12", DECIMAL: "37.5"}


@dataclass(frozen=True)
class Column:
    name: str  # the column header the import reads (the mapper's canonical name)
    label: str  # in the reader's language; "" when no form describes the field
    kind: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (code, label) of a choice column
    example: str = ""
    hint: str = ""

    @property
    def kind_label(self) -> str:
        return {
            DATE: _("date (YYYY-MM-DD or DD/MM/YYYY)"),
            DATETIME: _("date and time (YYYY-MM-DD HH:MM)"),
            INTEGER: _("whole number"),
            DECIMAL: _("number"),
            TEXT: _("text"),
            CHOICE: _("one value from the list"),
            CHOICES: _("values from the list, separated by spaces"),
            SITE: _("site code"),
            AREA: _("P-code of an administrative area"),
            COUNTRY: _("country (ISO3 code or name)"),
            COUNTRIES: _("countries (ISO3 codes separated by spaces)"),
        }[self.kind]

    @property
    def allowed(self) -> str:
        """The allowed values in words (a choice column lists them)."""
        if self.choices:
            return "; ".join(f"{code} ({label})" for code, label in self.choices)
        return {
            SITE: _("a site of the site list (Places), e.g. BCP-GOGUI"),
            AREA: _("a P-code of the P-code list (Places), e.g. ML0701"),
            COUNTRY: _("GIN, Guinée or Guinea give the same country"),
            COUNTRIES: _("e.g. GIN SEN"),
        }.get(self.kind, "")

    @property
    def title(self) -> str:
        return self.label or self.name

    def fix(self) -> str:
        """What to do to fix a value of this column, as a sentence."""
        what = {
            SITE: _("Choose one of the suggested sites, or write the code of a site of the list."),
            AREA: _("Write the P-code of an administrative area (Places lists them)."),
            COUNTRY: _("Write the country's ISO3 code or its name."),
            COUNTRIES: _("Write ISO3 country codes separated by spaces."),
            CHOICE: _("Write one of the allowed values."),
            CHOICES: _("Write allowed values separated by spaces."),
        }.get(self.kind, "")
        if not what:
            what = _("Write a value of type: %(kind)s.") % {"kind": self.kind_label}
        if self.example:
            what += " " + _("Example: %(example)s.") % {"example": self.example}
        return _("Correct “%(field)s”, then save: %(what)s") % {
            "field": self.title,
            "what": what,
        }


@cache
def _form_rows(form_id: str) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """The shipped XLSForm's survey rows by field name and choices by list name (empty when
    the kind has no form)."""
    path = FORMS_DIR / f"{form_id}.xlsx"
    if not path.exists():
        return {}, {}
    workbook = load_workbook(path, read_only=True)
    survey: dict[str, dict] = {}
    choices: dict[str, list[dict]] = {}
    rows = list(workbook["survey"].values)
    for values in rows[1:]:
        row = {k: v for k, v in zip(rows[0], values, strict=False) if k}
        if row.get("name"):
            survey[str(row["name"])] = row
    rows = list(workbook["choices"].values)
    for values in rows[1:]:
        row = {k: v for k, v in zip(rows[0], values, strict=False) if k}
        if row.get("list_name"):
            choices.setdefault(str(row["list_name"]), []).append(row)
    workbook.close()
    return survey, choices


def _text(row: dict, fr: str, en: str) -> str:
    if (translation.get_language() or "fr").startswith("fr"):
        # The forms' French labels are typed by hand: shown with French typography.
        return typography.french(str(row.get(fr) or row.get(en) or ""))
    return str(row.get(en) or row.get(fr) or "")


def _kind(name: str, form_type: str, label: str) -> str:
    words = form_type.split()
    if words and words[0] == "select_one_from_file":
        if words[-1] == "sites.csv":
            return SITE
        return AREA if words[-1] in ("places.csv", "areas.csv") else TEXT
    if words[:1] in (["select_one"], ["select_multiple"]):
        many = words[0] == "select_multiple"
        if words[-1] == "country":
            return COUNTRIES if many else COUNTRY
        return CHOICES if many else CHOICE
    if name in ("area", "pcode") or name.endswith("_pcode") or "P-code" in label:
        return AREA
    if name in ("site", "point"):
        return SITE
    if "country" in name or name == "nationality":
        return COUNTRY
    kinds = {"date": DATE, "dateTime": DATETIME, "integer": INTEGER, "decimal": DECIMAL}
    if form_type in kinds:
        return kinds[form_type]
    if not form_type and re.search(r"(^|_)(date|on)$", name):
        return DATE
    return TEXT


def _kind_of_value(value: str, default: str) -> str:
    if re.fullmatch(r"-?\d+", value):
        return INTEGER
    if re.fullmatch(r"-?\d+\.\d+", value):
        return DECIMAL
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        return DATE
    return default


def import_columns(mapper: Mapper) -> list[Column]:
    """The columns of `mapper`'s file import, in its order, in the active language."""
    return list(_columns(mapper, translation.get_language() or "fr"))


@cache
def _columns(mapper: Mapper, language: str) -> tuple[Column, ...]:
    survey, choices = _form_rows(mapper.form_id)
    example = getattr(mapper, "example", {}) or {}
    columns = []
    for name, aliases in mapper.aliases.items():
        row = next((survey[n] for n in (name, *aliases) if n in survey), {})
        label = _text(row, FR, EN)
        form_type = str(row.get("type") or "")
        kind = _kind(name, form_type, label)
        if kind == TEXT and form_type in ("", "calculate"):
            # no form field to say it (a total the form computes): the mapper's example does
            kind = _kind_of_value(str(example.get(name, "")), kind)
        listed: tuple[tuple[str, str], ...] = ()
        if kind in (CHOICE, CHOICES):
            listed = tuple(
                (str(c["name"]), _text(c, FR, EN)) for c in choices.get(form_type.split()[-1], [])
            )
        columns.append(
            Column(
                name=name,
                label=label,
                kind=kind,
                required=str(row.get("required") or "").lower() in ("yes", "true", "1"),
                choices=listed,
                example=str(example.get(name, listed[0][0] if listed else EXAMPLES.get(kind, ""))),
                hint=_text(row, HFR, HEN),
            )
        )
    return tuple(columns)


def column_for(mapper: Mapper | None, field: str) -> Column | None:
    """The column a field name (a file's header, a reason's field) stands for, if any."""
    if mapper is None:
        return None
    canonical = alias_map(mapper.aliases).get(normalise_name(field))
    return next((c for c in import_columns(mapper) if c.name == canonical), None)


def reasons_explained(mapper: Mapper | None, errors: list[dict], names=()) -> list[dict]:
    """A submission's stored reasons with the field's label (`label`) and, for a field the
    import reads, what to do to fix it (`fix`). `names`: the submission's own field names (a
    file's headers), used for a column no form labels ("Total" rather than "total")."""
    written: dict[str, str] = {}
    if mapper is not None:
        aliases = alias_map(mapper.aliases)
        for name in names:
            written.setdefault(aliases.get(normalise_name(name), name), name)
    explained = []
    for error in errors or []:
        column = column_for(mapper, str(error.get("field") or ""))
        if column is not None and not column.label and column.name in written:
            column = dataclasses.replace(column, label=written[column.name])
        explained.append(
            {
                **error,
                "label": column.title if column else error.get("field"),
                "fix": column.fix() if column else "",
            }
        )
    return explained
