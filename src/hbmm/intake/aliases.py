"""Alias tables kept as data: the other names a form's columns and choice values go by.

A domain app keeps its tables in one JSON file (`<app>/data/intake_aliases.json`):

    {"columns": {"<form id>": {"<field>": ["other name", ...]}},
     "words": {"<choice>": {"<code>": ["other word", ...]}}}

read once per process. Mappers take `aliases = column_aliases(FILE, form_id)`; cleaners take
`word_table(FILE, choice)` (normalised word -> code, see `cleaning.clean_word`). The import
docs list them: `python tools/import_docs.py` writes those sections (`intake.alias_docs`).
"""

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from hbmm.text import normalise_name


@cache
def alias_data(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def column_aliases(path: Path, form_id: str) -> dict[str, Sequence[str]]:
    """field -> other accepted column names, for the form `form_id` of the file at `path`."""
    return {field: tuple(names) for field, names in alias_data(path)["columns"][form_id].items()}


@cache
def word_table(path: Path, choice: str) -> dict[str, str]:
    """normalised word -> code, for the choice `choice` of the file at `path`."""
    pairs = alias_data(path)["words"][choice]
    return {normalise_name(word): code for code, words in pairs.items() for word in words}
