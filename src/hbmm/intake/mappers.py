"""Mappers turn a submission's parsed fields into domain records, through domain services.

One mapper per form, registered by form id (which is also the file-import kind). Domain apps
define their mappers in `<app>/intake_mappers.py` and register them in `AppConfig.ready()`:

    class FlowCountMapper(Mapper):
        form_id = "flow_count"
        model = FlowCount                       # its rows carry `submission` (FK to Submission)
        permission = "mobility.add_flowcount"   # needed to send this form
        aliases = {"observation_date": ("date", "date_observation"), ...}
        identifier_fields = frozenset()         # direct identifiers (names, phones...), if any

        def clean(self, data, *, submitter, lookups):   # validate; raise MappingError with
            ...                                         # every reason; sites, areas, countries
                                                        # from `lookups` (one per batch)
            return {"site": site, "observation_date": day, ...}

        def save(self, items):                  # [Item: cleaned, existing records, context]
            for ctx, group in items_by_context(items).items():
                flow_counts_save_batch([row(item) for item in group], ctx=ctx)
                                                # one domain batch save per context

A mapper whose file imports take options declares them (`import_options = (ImportOption(...),)`)
and reads them in `transform_rows(rows, options=...)`.

The pipeline (`intake.process`; `intake.bulk` for files) calls `clean` for each submission, then `save` once for the
batch of clean ones, inside one transaction; a MappingError quarantines the submission with
its reasons and nothing reaches the domain.
"""

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from django.db.models import Model, QuerySet

from hbmm.places.lookups import Lookups
from hbmm.presentation.text import Text


@dataclass(frozen=True)
class FieldError:
    field: str
    value: Any
    message: str

    def as_dict(self) -> dict:
        value = (
            self.value
            if isinstance(self.value, str | int | float | bool | type(None))
            else str(self.value)
        )
        return {"field": self.field, "value": value, "message": str(self.message)}


class MappingError(Exception):
    def __init__(self, errors: Iterable[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class BatchContext:
    """Where a batch of records comes from, the same for each of its rows: the contract
    between a mapper and its domain's batch save (`<records>_save_batch(rows, *, ctx)`).

    `submitter`: who sent the form (a screening's agent, an EBS signal's sender); `by`: who
    the writes are attributed to (the submitter, or the reviewer who corrected or reprocessed
    the submission; None: the operator's command line); `channel` (`intake.models.Channel`);
    `is_demo`: demonstration data (no alert is sent for it). The rows a batch save is given
    were cleaned by the form's mapper: their references (sites, areas, focal points) exist and
    are in the scope of the user they were cleaned for; the service checks the rest (what
    the mapper has not checked already: a service may rely on its mapper's checks, as
    `mobility.services.flow_counts_save_batch` does, rather than make them twice)."""

    submitter: Any
    by: Any
    channel: str
    is_demo: bool


@dataclass
class BatchResult:
    """What a domain's batch save did: records created and records replaced or updated (an
    edit's new version replacing what its previous version made)."""

    created: int = 0
    updated: int = 0

    def __iadd__(self, other: "BatchResult") -> "BatchResult":
        self.created += other.created
        self.updated += other.updated
        return self


class Row:
    """Base of a form's typed row, the `rows` of its domain's batch save: subclasses are
    frozen dataclasses with slots (`@dataclass(frozen=True, slots=True)`), a field per clean
    value of the form, plus `submission_id` and `existing` (the record the submission's previous
    version made, `Item.edited`). The mapper's `save` makes them
    (`Row(submission_id=..., existing=item.edited, **item.cleaned)`); the batch save reads them
    by attribute. `fields()` gives the record's field values for a writer that takes them as a
    dict (a bulk insert, `setattr` on a record): every field but `existing`."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]  # subclasses are dataclasses

    def fields(self) -> dict[str, Any]:
        found = _ROW_FIELDS.get(type(self))
        if found is None:  # once per row type: what its dataclass declares
            names = tuple(f.name for f in dataclasses.fields(self) if f.name != "existing")
            get = attrgetter(*names) if len(names) > 1 else (lambda row: (getattr(row, names[0]),))
            found = _ROW_FIELDS[type(self)] = (names, get)
        names, values = found
        # Read with one attrgetter and zipped (both in C): once per row of a million-row import.
        return dict(zip(names, values(self), strict=True))


_ROW_FIELDS: dict[type, tuple[tuple[str, ...], Callable]] = {}


class Item:
    """One submission on its way to the domain: `cleaned` (the mapper's clean values) and
    `existing` (records made from the previous version of this submission, for edits).

    `submission_id` is always there; `submission` (the model instance) is built on first use
    when the pipeline gave a `load` function instead, so a service that needs only the id (a
    million-row import) does not pay for a model instance per row.

    The pipeline also says where the item comes from, so that no mapper has to ask the
    database again: `submitter`, `channel`, `is_demo`, and `actor`, the user the write is
    attributed to (the `by` of domain services): the reviewer who corrected or reprocessed the
    submission, else its submitter. `context` is all of it as a `BatchContext`."""

    __slots__ = (
        "_actor",
        "_load",
        "_submission",
        "channel",
        "cleaned",
        "existing",
        "is_demo",
        "submission_id",
        "submitter",
    )

    def __init__(
        self,
        submission=None,
        cleaned=None,
        existing=None,
        *,
        load=None,
        submission_id=None,
        actor=None,
        submitter=None,
        channel: str | None = None,
        is_demo: bool | None = None,
    ):
        self._submission = submission
        self._load = load
        self._actor = actor
        self.submission_id = submission.pk if submission is not None else submission_id
        self.cleaned = cleaned if cleaned is not None else {}
        self.existing = existing if existing is not None else []
        if submission is not None:  # the row path: the submission says it
            submitter = submission.submitter if submitter is None else submitter
            channel = submission.channel if channel is None else channel
            is_demo = submission.is_demo if is_demo is None else is_demo
        self.submitter = submitter
        self.channel = channel or ""
        self.is_demo = bool(is_demo)

    @property
    def submission(self):
        if self._submission is None:
            self._submission = self._load()
        return self._submission

    @property
    def edited(self):
        """The record this submission's previous version made (an edit replaces it), or None:
        the `existing` of a domain's typed row (one record per submission)."""
        return self.existing[0] if self.existing else None

    @property
    def actor(self):
        return self._actor if self._actor is not None else self.submitter

    @property
    def context(self) -> BatchContext:
        return BatchContext(
            submitter=self.submitter, by=self.actor, channel=self.channel, is_demo=self.is_demo
        )


def items_by_context(items: Iterable[Item]) -> dict[BatchContext, list[Item]]:
    """The items of a batch grouped by where they come from (one batch save per group, in
    the order each group first appears)."""
    # Grouped by the context's values, the BatchContext made once per group: not a frozen
    # dataclass built and hashed per row of a million-row import.
    groups: dict[tuple, list[Item]] = {}
    for item in items:
        key = (item.submitter, item.actor, item.channel, item.is_demo)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(item)
    return {
        BatchContext(submitter=submitter, by=by, channel=channel, is_demo=is_demo): group
        for (submitter, by, channel, is_demo), group in groups.items()
    }


@dataclass(frozen=True)
class ImportOption:
    """An option of a file import, passed to `transform_rows(options=...)`. Declared on the
    mapper (`import_options`), it is a field of the upload page for that kind and
    `--option name=value` of `hbmm import`; both validate it in `import_options_clean`."""

    name: str
    label: Any  # gettext_lazy text: French and English through the app's catalogue
    kind: str = "bool"  # "bool", or "codes": codes separated by commas or spaces
    help_text: Any = ""
    pattern: str = ""  # "codes": the form every code must have (a regular expression)


class Mapper:
    form_id: ClassVar[str]
    model: ClassVar[type[Model]]
    permission: ClassVar[str]
    title: ClassVar[Text] = ""  # a lazy translation: shown in the reader's language
    # The field holding the site code, if the form is about a site: the OpenRosa server checks
    # it against the submitter's scope, and quarantined items are filed under that site.
    site_field: ClassVar[str | None] = "site"
    # canonical field name -> other accepted names (file headers in English and French, old
    # form field names). Matching ignores case, accents, spaces and punctuation.
    aliases: ClassVar[Mapping[str, Sequence[str]]] = {}
    # File imports: one row that imports as it is (with the shipped reference data), the example
    # file's row and the import page's examples (column -> value; intake.columns).
    example: ClassVar[Mapping[str, str]] = {}
    # File imports only: the options `transform_rows` understands.
    import_options: ClassVar[tuple[ImportOption, ...]] = ()
    # Canonical names of the fields holding direct identifiers (names, phone and document
    # numbers). A form with any has its raw payload encrypted and these fields kept out of
    # every clear copy (parsed data, reasons, corrections, audit); `identifier_permission`
    # is needed to read them on the submission page (each read is logged) or correct them.
    identifier_fields: ClassVar[frozenset[str]] = frozenset()
    identifier_permission: ClassVar[str] = ""

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        """Validated values from `data`; raise MappingError listing every problem. Sites, admin
        areas and countries are looked up in `lookups`, which the caller makes once per batch
        (`places.lookups.Lookups()`) and hands to every row of it."""
        raise NotImplementedError

    def save(self, items: list[Item]) -> None:
        """Write the records for `items` through the domain's services."""
        raise NotImplementedError

    def records_for(self, submission) -> QuerySet:
        """The domain records produced by `submission`."""
        return self.model.objects.filter(submission=submission)

    def transform_rows(
        self, rows: Iterator[tuple[int, dict]], *, options: dict
    ) -> Iterator[tuple[int, dict]]:
        """File imports only: reshape the file's rows before each becomes a submission (e.g. a
        wide table with one column per date into one row per date; rows the import was not
        asked for left out). Rows keep the spreadsheet row number they come from. `options`
        are the import's options (`file_import(options=...)`). Raise tabular.TableError to
        fail the whole file with a message. The default passes rows through unchanged."""
        return rows

    def media_file(self, filename: str, *, user) -> bytes | None:
        """A form media file the server makes for `user` (a CSV the form reads with
        `select_one_from_file` or `pulldata`), or None when the form has no such file. The
        OpenRosa manifest lists it and serves it like `sites.csv`; what it holds is the domain's
        to scope to the user. The default makes none."""
        return None


_REGISTRY: dict[str, Mapper] = {}


def register(mapper: Mapper) -> Mapper:
    _REGISTRY[mapper.form_id] = mapper
    return mapper


def unregister(form_id: str) -> None:
    _REGISTRY.pop(form_id, None)


def get_mapper(form_id: str) -> Mapper | None:
    return _REGISTRY.get(form_id)


def registered_mappers() -> dict[str, Mapper]:
    return dict(_REGISTRY)
