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

        def save(self, items):                  # [(submission, cleaned, existing_records)]
            flow_counts_save(items=...)         # one domain service call for the batch
                                                # (attributed to item.actor)

A mapper whose file imports take options declares them (`import_options = (ImportOption(...),)`)
and reads them in `transform_rows(rows, options=...)`.

The pipeline (`intake.process`; `intake.bulk` for files) calls `clean` for each submission, then `save` once for the
batch of clean ones, inside one transaction; a MappingError quarantines the submission with
its reasons and nothing reaches the domain.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Model, QuerySet

from hbmm.places.lookups import Lookups


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


class Item:
    """One submission on its way to the domain: `cleaned` (the mapper's clean values) and
    `existing` (records made from the previous version of this submission, for edits).

    `submission_id` is always there; `submission` (the model instance) is built on first use
    when the pipeline gave a `load` function instead, so a service that needs only the id (a
    million-row import) does not pay for a model instance per row.

    `actor` is the user the write is attributed to (the `by` of domain services): the reviewer
    who corrected or reprocessed the submission, else its submitter."""

    __slots__ = ("_actor", "_load", "_submission", "cleaned", "existing", "submission_id")

    def __init__(
        self,
        submission=None,
        cleaned=None,
        existing=None,
        *,
        load=None,
        submission_id=None,
        actor=None,
    ):
        self._submission = submission
        self._load = load
        self._actor = actor
        self.submission_id = submission.pk if submission is not None else submission_id
        self.cleaned = cleaned if cleaned is not None else {}
        self.existing = existing if existing is not None else []

    @property
    def submission(self):
        if self._submission is None:
            self._submission = self._load()
        return self._submission

    @property
    def actor(self):
        return self._actor if self._actor is not None else self.submission.submitter


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
    title: ClassVar[str] = ""
    # The field holding the site code, if the form is about a site: the OpenRosa server checks
    # it against the submitter's scope, and quarantined items are filed under that site.
    site_field: ClassVar[str | None] = "site"
    # canonical field name -> other accepted names (file headers in English and French, old
    # form field names). Matching ignores case, accents, spaces and punctuation.
    aliases: ClassVar[Mapping[str, Sequence[str]]] = {}
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
