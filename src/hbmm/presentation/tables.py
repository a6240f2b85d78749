"""Tables: the records behind the figures, as list pages, drill-downs and exports; one registry.

A domain declares each of its tables once, in its `tables.py`, registered from its
AppConfig.ready() (as mappers and navigation are):

    register_table(Table(
        key="mobility.stranded",
        title=_("Stranded migrants"),
        permission="mobility.view_strandedmigrants",
        columns=(
            Column("date", _("date"), "date", "#date"),
            Column("site__code", _("site"), "text", "#loc+code"),
            Column("count", _("stranded migrants"), "int", "#population+stranded"),
            ...
        ),
        filters=(Filter("start", _("From"), "date"), Filter("site", _("Site (code)"), "site")),
        rows=lambda q: selectors.stranded_records(scope=q.scope, **q.filters).order_by(...),
        url_name="mobility:stranded",  # its own address; every table is also at
    ))                                 # /reports/drilldown/<key>/

A column is declared once with its label, its type and its HXL hashtag, and every page and
export of it uses that declaration. `rows` receives a `Query` (the reader's scope, already
narrowed to the chosen area, and the cleaned filters) and returns a QuerySet of records (the
columns' keys are its `values_list` paths) or an iterable of tuples in column order.

The page (`hbmm.presentation.table_views.table_page`) shows the rows 50 at a time, codes by their
labels; `?format=csv|xlsx` exports them all with codes and the HXL row (`hbmm.exports`). A
figure points at a table with `Drilldown(key, filters)`: the records it counts.

Filter types: date, month (YYYY-MM), text, int, bool, choice (one of `choices`), codes (several
of them, comma-separated), site (a site code: the Site, 404 outside the reader's scope).

Column types: text, int, decimal, date, datetime, code (one of `choices`: the page shows its
label, the export the code), codes (a list of them), counts (a dict {code: n}), bool,
submission (the id of the submission a record came from: a link for those who may see it).

A column of personal data that may leave HBMM only once a reviewer allowed it names its gate:
`Column("text", _("What was said"), "text", "#description", gate="publishable")`. The value is
then read only where the record's boolean `publishable` is true (a CASE in the query: the
value of any other record never leaves the database), on the page and in every export alike.
A gated column needs a table whose rows are a QuerySet; `read` refuses anything else.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.db.models import Case, F, QuerySet, Value, When
from django.utils.translation import gettext as _

from hbmm.accounts.scope import Scope
from hbmm.places.models import AdminArea
from hbmm.presentation.maps import TableMap
from hbmm.presentation.text import Text

COLUMN_TYPES = (
    "text",
    "int",
    "decimal",
    "date",
    "datetime",
    "code",
    "codes",
    "counts",
    "bool",
    "submission",
)
FILTER_TYPES = ("date", "text", "choice", "codes", "int", "bool", "site", "month")


@dataclass(frozen=True)
class Column:
    key: str  # a values_list path of the table's records (or a name, for computed rows)
    label: Text
    type: str = "text"
    hxl: str = ""
    choices: tuple = ()  # (code, label) pairs of a code/codes column
    gate: str = ""  # path of a boolean: the value is read only where it is true

    def __post_init__(self):
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.key}: unknown type {self.type!r}")

    @property
    def read_key(self) -> str:
        """The name the table's query reads the column under (an alias when gated)."""
        return f"gated__{self.key}" if self.gate else self.key

    def display(self, value):
        """The value as the page shows it (the export keeps it as it is)."""
        if value is None or value == "":
            return None
        if self.type == "code":
            return dict(self.choices).get(value, value)
        if self.type == "codes":
            labels = dict(self.choices)
            return ", ".join(str(labels.get(v, v)) for v in value)
        if self.type == "counts":
            return ", ".join(
                _("%(key)s: %(n)s") % {"key": k, "n": n} for k, n in sorted(value.items())
            )
        if self.type == "bool":
            return _("yes") if value else _("no")
        return value


@dataclass(frozen=True)
class Filter:
    name: str  # the query parameter
    label: Text
    type: str = "text"
    choices: tuple = ()  # (value, label) pairs of a choice or codes filter

    def __post_init__(self):
        if self.type not in FILTER_TYPES:
            raise ValueError(f"filter {self.name}: unknown type {self.type!r}")

    def form_field(self) -> forms.Field:
        if self.type == "date":  # parsed by the page, so that an error names the value
            return forms.CharField(label=self.label, required=False, widget=_DateInput())
        if self.type == "month":
            return forms.CharField(label=self.label, required=False, max_length=7)
        if self.type == "choice":
            return forms.ChoiceField(
                label=self.label, required=False, choices=[("", ""), *self.choices]
            )
        if self.type == "codes":  # several of the choices, comma-separated: bcp,itp
            return forms.CharField(label=self.label, required=False, max_length=200)
        if self.type == "int":
            # Bounded: a number past the databases' 64-bit integers is a clear 400, not a crash.
            return forms.IntegerField(
                label=self.label, required=False, min_value=1, max_value=2**63 - 1
            )
        if self.type == "bool":
            return forms.BooleanField(label=self.label, required=False)
        return forms.CharField(label=self.label, required=False, max_length=40)


class _DateInput(forms.TextInput):
    input_type = "date"


@dataclass(frozen=True)
class Query:
    """What a table's rows are read for: the reader's scope (narrowed to the chosen area), the
    area itself, and the filters given (cleaned: dates, Site objects, numbers)."""

    scope: Scope
    area: AdminArea | None = None
    filters: dict = field(default_factory=dict)
    # The user reading, for record rules beyond geography (a partner sees only their own
    # organisation's 4W rows: `hbmm.response.selectors.reader_organisations`).
    reader: object = None
    # The page's as-of date (`hbmm.presentation.as_of`), asked only by a table that counts "as
    # of" a date when no `as_of` filter is given (it may cost queries); None: today.
    as_of: Callable[[], dt.date] | None = None

    @property
    def day(self) -> dt.date:
        """The `as_of` filter, else the page's as-of date, else today."""
        if self.filters.get("as_of"):
            return self.filters["as_of"]
        return self.as_of() if self.as_of is not None else dt.date.today()


EXPORT_PERMISSION = "reports.export_figures"


@dataclass(frozen=True)
class Table:
    key: str
    title: Text
    permission: str  # to see the table; exporting it also needs `export_permission`
    columns: tuple[Column, ...]
    rows: Callable[[Query], QuerySet | Iterable[tuple]]
    filters: tuple[Filter, ...] = ()
    description: Text = ""
    url_name: str = ""  # the table's own page, if it has one (else reports:drilldown)
    # Exporting (CSV, XLSX, the API's ?format=): a domain's own export permission where its
    # records need one (protection cases), else the export of the records behind figures.
    export_permission: str = EXPORT_PERMISSION
    # A map of the rows' sites, shown above the table on its page (not exported): the
    # reporting completeness page colours each site expected to report by its reporting.
    map: Callable[[Query], TableMap | None] | None = None

    @property
    def hxl(self) -> list[str] | None:
        tags = [c.hxl for c in self.columns]
        return tags if any(tags) else None

    def gated(self, rows: QuerySet) -> QuerySet:
        """`rows` with each gated column annotated under its `read_key` (NULL wherever its gate
        is not true): every reader of the columns (page, export, API) reads `read_key`s."""
        gated = [c for c in self.columns if c.gate]
        if not gated:
            return rows
        return rows.annotate(**{c.read_key: _gated(rows.model, c) for c in gated})

    @property
    def read_keys(self) -> list[str]:
        return [c.read_key for c in self.columns]

    def read(self, query: Query):
        """The rows: a values_list QuerySet (sliceable, countable) or a list of tuples. A gated
        column is read as NULL wherever its gate is not true."""
        rows = self.rows(query)
        gated = [c for c in self.columns if c.gate]
        if isinstance(rows, QuerySet):
            return self.gated(rows).values_list(*self.read_keys)
        if gated:
            raise TypeError(f"table {self.key}: a gated column needs rows as a QuerySet")
        return list(rows)

    def displayed(self, rows) -> list[list]:
        """Rows as the page shows them (labels for codes)."""
        return [[c.display(v) for c, v in zip(self.columns, row, strict=True)] for row in rows]


def _gated(model, column: Column) -> Case:
    """`column`'s value where its gate is true, else NULL, read with the column's own model
    field (so an encrypted field is decrypted only for the rows that pass)."""
    output_field = model._meta.get_field(column.key).clone() if "__" not in column.key else None
    return Case(
        When(**{column.gate: True}, then=F(column.key)),
        default=Value(None),
        output_field=output_field,
    )


_TABLES: dict[str, Table] = {}


def register_table(table: Table) -> Table:
    """Add (or replace, by key) a table; called by the domains' tables modules."""
    _TABLES[table.key] = table
    return table


def get_table(key: str) -> Table | None:
    return _TABLES.get(key)


def filter_form(table: Table, data=None) -> forms.Form:
    """The table's filters as a form (bound to the query string when `data` is given)."""
    fields = {f.name: f.form_field() for f in table.filters}
    form_class = type("TableFilterForm", (forms.Form,), fields)
    return form_class(data)


def month_start(text: str) -> dt.date:
    """The first day of the month YYYY-MM (ValueError otherwise)."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def registered_tables() -> list[Table]:
    """Every registered table, by key."""
    return [_TABLES[key] for key in sorted(_TABLES)]
