"""The blank file and the example file of a kind of import, as XLSX: the data sheet (the column
names the import reads, on the first row; the example file adds one row that imports as is),
an instructions sheet (each column's label, type, whether it is required, its allowed values
and an example, in the reader's language), and lists that the code columns are checked against
as they are filled (sites of the user's scope, P-codes, countries, a choice's values).

No HXL row: the import reads every row under the header as data, so a second row of hashtags
would be quarantined; the instructions sheet says so.
"""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from hbmm.accounts.scope import sites_in_scope
from hbmm.exports import neutralised
from hbmm.intake.columns import AREA, CHOICE, COUNTRY, SITE, Column, import_columns
from hbmm.intake.mappers import Mapper
from hbmm.places.countries import countries
from hbmm.places.models import AdminArea

MAX_ROWS = 5000  # rows the lists check (a file to fill by hand)


def example_row(mapper: Mapper, columns: list[Column]) -> list[str]:
    """The example row: the mapper's example values (made to import as they are), and the
    column's example for a required column the mapper's example leaves out."""
    given = getattr(mapper, "example", {}) or {}
    return [str(given.get(c.name, c.example if c.required else "")) for c in columns]


def _list_values(column: Column, *, user) -> list[str]:
    if column.kind == CHOICE:
        return [code for code, _label in column.choices]
    if column.kind == SITE:
        return list(sites_in_scope(user).order_by("code").values_list("code", flat=True))
    if column.kind == AREA:
        return list(
            AdminArea.objects.filter(country_iso3=settings.HBMM_COUNTRY_ISO3)
            .order_by("pcode")
            .values_list("pcode", flat=True)
        )
    if column.kind == COUNTRY:
        return sorted(countries())
    return []


def _instructions(sheet, mapper: Mapper, columns: list[Column]) -> None:
    sheet.append([str(mapper.title or mapper.form_id)])
    for line in (
        _("Fill the sheet “data”: one row per record, under the row of column names."),
        _(
            "Keep the column names of the first row as they are; columns may be left out "
            "when they are not required, and their order does not matter."
        ),
        _(
            "No second row of HXL hashtags: the import would read it as a row of data. "
            "Dates as YYYY-MM-DD or DD/MM/YYYY."
        ),
        _(
            "Code columns are checked against the sheet “lists” as you fill them "
            "(sites of your scope, P-codes, countries, the values of a list)."
        ),
        "",
    ):
        sheet.append([line])
    sheet.append(
        [_("Column"), _("Label"), _("Type"), _("Required"), _("Allowed values"), _("Example")]
    )
    for c in columns:
        sheet.append(
            [
                c.name,
                neutralised(c.label),
                c.kind_label,
                _("yes") if c.required else _("no"),
                neutralised(c.allowed),
                neutralised(c.example),
            ]
        )
    for letter, width in zip("ABCDEF", (24, 40, 30, 10, 60, 20), strict=True):
        sheet.column_dimensions[letter].width = width


def workbook_bytes(mapper: Mapper, *, user, example: bool) -> bytes:
    """The blank (or example) XLSX file of `mapper`'s import, for `user`."""
    columns = import_columns(mapper)
    book = Workbook()
    data = book.active
    data.title = "data"
    data.append([c.name for c in columns])
    if example:
        data.append([neutralised(v) for v in example_row(mapper, columns)])
    _instructions(book.create_sheet(_("instructions")[:31]), mapper, columns)
    lists = book.create_sheet("lists")
    lists_column = 0
    for index, column in enumerate(columns, start=1):
        data.column_dimensions[get_column_letter(index)].width = max(12, len(column.name) + 2)
        values = _list_values(column, user=user)
        if not values:
            continue
        lists_column += 1
        letter = get_column_letter(lists_column)
        lists.cell(row=1, column=lists_column, value=column.name)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=lists_column, value=value)
        source = f"{quote_sheetname('lists')}!${letter}$2:${letter}${len(values) + 1}"
        check = DataValidation(type="list", formula1=source, allow_blank=True)
        check.error = _("Choose a value of the list (sheet “lists”).")
        check.errorTitle = column.title
        check.showErrorMessage = True
        data.add_data_validation(check)
        target = get_column_letter(index)
        check.add(f"{target}2:{target}{MAX_ROWS}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
