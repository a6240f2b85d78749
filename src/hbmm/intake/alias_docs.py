"""The import docs' lists of accepted names, written from the mappers' aliases (which are data:
`<app>/data/intake_aliases.json`), so the docs cannot drift from what the code accepts.

`python tools/import_docs.py` rewrites the part of each import doc between the two markers below;
`tests/intake/test_import_docs.py` fails when a doc is not up to date.
"""

from collections.abc import Iterable, Mapping

from django.utils import translation

from hbmm.intake.mappers import Mapper

BEGIN = "<!-- begin accepted names: written by tools/import_docs.py from the alias data -->"
END = "<!-- end accepted names -->"


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def columns_markdown(mappers: Iterable[Mapper]) -> str:
    """One table per form (forms with the same columns share one): field, also accepted."""
    groups: list[tuple[list[Mapper], Mapping]] = []
    for mapper in mappers:
        for forms, aliases in groups:
            if aliases == mapper.aliases:
                forms.append(mapper)
                break
        else:
            groups.append(([mapper], mapper.aliases))
    parts = []
    with translation.override("en"):
        for forms, aliases in groups:
            ids = ", ".join(f"`{m.form_id}`" for m in forms)
            title = f" ({forms[0].title})" if len(forms) == 1 and forms[0].title else ""
            rows = [f"| `{field}` | {_names(names)} |" for field, names in aliases.items()]
            parts.append(
                f"### {ids}{title}\n\n| field | also accepted |\n|---|---|\n" + "\n".join(rows)
            )
    return "\n\n".join(parts)


def words_markdown(words: dict[str, dict[str, list[str]]]) -> str:
    """The words accepted for choice values: choice, code, also accepted."""
    rows = [
        f"| {choice} | `{code}` | {_names(names)} |"
        for choice, codes in words.items()
        for code, names in codes.items()
    ]
    return "| value of | code | also accepted |\n|---|---|---|\n" + "\n".join(rows)


def generated_section(mappers: Iterable[Mapper], words: dict) -> str:
    text = columns_markdown(mappers)
    if words:
        text += "\n\n### Words accepted for choice values\n\n" + words_markdown(words)
    return f"{BEGIN}\n\n{text}\n\n{END}"


def updated(doc: str, mappers: Iterable[Mapper], words: dict) -> str:
    """`doc` with its generated section written anew (the markers must be there)."""
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    return doc[:start] + generated_section(mappers, words) + doc[end:]
