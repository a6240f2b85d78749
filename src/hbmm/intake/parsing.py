"""From raw payloads to flat field dictionaries.

Fields are keyed by their leaf name: a form v2 that moves a field into a group still yields
the same key, so a form change does not lose data. A leaf inside a repeat group yields a list
of values; a leaf given twice otherwise (two `<site>`, or one name in two groups) is refused,
since flattening would have to pick one.

XML is read with defusedxml, and a document type declaration is refused outright: an XForm
instance never needs one, and its entities are how an XML bomb or an external file read gets in.
"""

import json
import math
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from hbmm.text import normalise_name

META_FIELDS = {"instanceID", "deprecatedID", "rootUuid", "instanceName", "timeStart", "timeEnd"}


class PayloadError(ValueError):
    """The payload cannot be read at all (malformed XML or JSON)."""


class DocumentTypeRefused(PayloadError):
    """The XML declares a document type (DTD) or entities: refused, never expanded."""


class RepeatedField(PayloadError):
    """A field that is not in a repeat group is given more than once."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(f"the field '{field}' is given more than once")


@dataclass
class ParsedPayload:
    form_id: str
    form_version: str
    instance_id: str
    deprecated_id: str = ""
    root_id: str = ""
    data: dict = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _add(data: dict, key: str, value) -> None:
    if key in data:
        current = data[key]
        data[key] = [*current, value] if isinstance(current, list) else [current, value]
    else:
        data[key] = value


def _xml_root(payload: bytes | str):
    try:
        return fromstring(payload, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DocumentTypeRefused(f"document type declarations are refused: {exc}") from exc
    except ParseError as exc:
        raise PayloadError(f"malformed XML: {exc}") from exc


def _leaves(root) -> tuple[list, set]:
    """(path of tags, element) of each leaf under `root`, in document order, and the paths of
    the elements that repeat (a sibling has the same tag): repeat groups, or fields given
    twice. An explicit stack, not recursion: a deep document must not exhaust Python's."""
    leaves, repeated = [], set()
    stack = [(root, ())]
    while stack:
        element, path = stack.pop()
        if element is not root and not len(element):
            leaves.append((path, element))
            continue
        tags = Counter(child.tag for child in element)
        repeated.update(path + (tag,) for tag, n in tags.items() if n > 1)
        stack.extend((child, path + (child.tag,)) for child in reversed(element))
    return leaves, repeated


def _check_repeats(leaves: list, repeated: set) -> None:
    """A leaf name at two paths, or a leaf that repeats itself (a repeat group always holds
    elements, never a bare leaf), is refused; a leaf inside a repeated group is a list."""
    paths: dict[str, set] = {}
    for path, _element in leaves:
        paths.setdefault(_local(path[-1]), set()).add(path)
    for name, found in paths.items():
        if len(found) > 1 or next(iter(found)) in repeated:
            raise RepeatedField(name)


def parse_xml(payload: bytes | str) -> ParsedPayload:
    """An OpenRosa/XForm instance document -> ParsedPayload."""
    root = _xml_root(payload)
    form_id = root.get("id") or ""
    version = root.get("version") or ""
    meta: dict[str, str] = {}
    data: dict = {}
    leaves, repeated = _leaves(root)
    _check_repeats(leaves, repeated)
    for _path, element in leaves:
        name = _local(element.tag)
        text = (element.text or "").strip()
        if name in META_FIELDS:
            meta[name] = text
        else:
            _add(data, name, text)
    if not form_id:
        raise PayloadError("the instance has no form id (id attribute of the root element)")
    instance_id = meta.get("instanceID", "")
    if not instance_id:
        raise PayloadError("the instance has no meta/instanceID")
    return ParsedPayload(
        form_id=form_id,
        form_version=version,
        instance_id=instance_id,
        deprecated_id=meta.get("deprecatedID", ""),
        root_id=meta.get("rootUuid", ""),
        data=data,
    )


def flatten_json(record: dict) -> dict:
    """A nested (ODK Central OData) or slash-keyed (KoboToolbox) record -> leaf-keyed fields.

    Keys starting with "_" (system fields) and meta fields are left out.
    """
    data: dict = {}

    def walk(value, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                leaf = k.rsplit("/", 1)[-1]
                if leaf.startswith("_") or leaf in META_FIELDS or leaf == "meta":
                    continue
                walk(v, leaf)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for v in value:
                walk(v, key)
        elif key is not None:
            _add(data, key, "" if value is None else _json_safe(value))

    walk(record, None)
    return data


def _json_safe(value):
    """A value a JSON column stores: Infinity and NaN (which a server may send, and which
    JSON columns refuse) are kept as their text, for the mapper to refuse with a message."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def json_dumps(value) -> str:
    return _ENCODER.encode(value)  # one encoder: json.dumps with options builds one per call


def alias_map(canonical_aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """normalised accepted name -> canonical field name."""
    mapping: dict[str, str] = {}
    for canonical, aliases in canonical_aliases.items():
        for name in (canonical, *aliases):
            mapping.setdefault(normalise_name(name), canonical)
    return mapping


@lru_cache(maxsize=4096)
def snake_name(name: str) -> str:
    """ "Observation date" -> "observation_date", "Site" -> "site" (accents dropped)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return "_".join(words) or str(name)


def apply_aliases(data: dict, mapping: dict[str, str]) -> dict:
    """Rename known fields to their canonical names; other fields get a snake_case name
    ("Site" -> "site", "Observation date" -> "observation_date"), so a file header that
    differs from a field name only by case, accents or spaces needs no alias."""
    plan = alias_plan(tuple(data), mapping)
    return {n: v for n, v in zip(plan, data.values(), strict=True) if n is not None}


def alias_plan(keys: tuple, mapping: dict[str, str]) -> list[str | None]:
    """The canonical name of each of `keys`, None for a key whose name an earlier key took.
    The rows of a file share their keys: a caller renaming many rows keeps the plan."""
    plan: list[str | None] = []
    taken: set[str] = set()
    for key in keys:
        canonical = mapping.get(normalise_name(key))
        if canonical is None:
            canonical = key if key.isidentifier() and key.islower() else snake_name(key)
        plan.append(None if canonical in taken else canonical)
        taken.add(canonical)
    return plan
