"""Direct identifiers (names, phone and document numbers) in what intake stores.

A form whose mapper declares `identifier_fields` carries identifiers: each of its submissions
keeps its raw payload, and the identifier fields of its parsed data, in one encrypted envelope
(`Submission.protected`); the clear columns hold the rest. Reasons never quote an identifier's
value, and corrections of identifier fields go to encrypted copies too (docs/forms.md,
"Identifiers"). Pure functions: the services decide when to call them.
"""

from hbmm.intake.mappers import FieldError, Mapper
from hbmm.intake.parsing import alias_map, json_dumps, normalise_name, snake_name


def carries_identifiers(mapper: Mapper | None) -> bool:
    return mapper is not None and bool(mapper.identifier_fields)


def identifier_keys(mapper: Mapper | None, keys) -> frozenset[str]:
    """The keys among `keys` (as a submission names its fields: XML leaves, file headers in
    French or English) that name an identifier field of the mapper, under any alias; a second
    column for one field counts too (the pipeline ignores it, the clear copy must not keep it)."""
    if not carries_identifiers(mapper):
        return frozenset()
    mapping = alias_map(mapper.aliases)
    found = set()
    for key in keys:
        name = mapping.get(normalise_name(key))
        if name is None:
            name = key if key.isidentifier() and key.islower() else snake_name(key)
        if name in mapper.identifier_fields:
            found.add(key)
    return frozenset(found)


class Protection:
    """How the submissions of one form are stored (`protect`), the identifier columns found
    once per header: a million-row file names its columns once."""

    def __init__(self, mapper: Mapper | None):
        self.mapper = mapper
        self.active = carries_identifiers(mapper)
        self.keys: dict[tuple, frozenset[str]] = {}

    def split(self, payload: str, data: dict) -> tuple[str, dict, str | None]:
        """(payload, data, envelope) as a submission of the form is stored: for a form that
        carries identifiers, an empty clear payload, the data without identifier fields and
        the envelope (JSON of the raw payload and those fields, for the encrypted field); for
        any other form, what was given and no envelope."""
        if not self.active:
            return payload, data, None
        header = tuple(data)
        hidden = self.keys.get(header)
        if hidden is None:
            hidden = self.keys[header] = identifier_keys(self.mapper, header)
        clear = {k: v for k, v in data.items() if k not in hidden}
        envelope = {"payload": payload, "data": {k: v for k, v in data.items() if k in hidden}}
        return "", clear, json_dumps(envelope)


def protect(*, mapper: Mapper | None, payload: str, data: dict) -> tuple[str, dict, str | None]:
    """(payload, data, envelope) as one submission of the mapper's form is stored
    (`Protection.split`)."""
    return Protection(mapper).split(payload, data)


def error_dicts(errors: list[FieldError], mapper: Mapper | None) -> list[dict]:
    """Reasons as stored: the value of an identifier field is left out (the message and the
    field name say what is wrong). Field names are canonical or as the submission named them."""
    hidden = identifier_keys(mapper, {e.field for e in errors}) if errors else frozenset()
    stored = []
    for error in errors:
        item = error.as_dict()
        if error.field in hidden:
            item["value"] = None
        stored.append(item)
    return stored
