"""Write the lists of accepted column names and choice words of the import docs from the alias
data the mappers use (`src/hbmm/<app>/data/intake_aliases.json`).

    python tools/import_docs.py           # rewrite docs/imports-{mobility,health,feedback,supplies}.md
    python tools/import_docs.py --check   # fail (exit 1) when a doc is not up to date

Only the part between the markers of `hbmm.intake.alias_docs` is written; the rest of each doc
is prose, edited by hand. tests/intake/test_import_docs.py runs the check with the test suite.
"""

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# doc -> (the package whose mappers it lists, the module holding that app's alias data path)
DOCS = {
    "docs/imports-mobility.md": ("hbmm.mobility", "hbmm.mobility.intake_mappers"),
    "docs/imports-health.md": ("hbmm.health", "hbmm.health.epi.intake_mappers"),
    "docs/imports-feedback.md": ("hbmm.feedback", "hbmm.feedback.intake_mappers"),
    "docs/imports-supplies.md": ("hbmm.supplies", "hbmm.supplies.intake_mappers"),
}


# The imports of hbmm inside functions wait for Django to be set up (by main(), or by pytest).


def _table_index(mapper, data_path, tables: list[str]) -> int:
    from hbmm.intake.aliases import column_aliases  # noqa: PLC0415 (after django.setup())

    for index, table in enumerate(tables):
        if column_aliases(data_path, table) == mapper.aliases:
            return index
    return len(tables)


def expected() -> dict[Path, tuple[str, str]]:
    """doc path -> (its text now, the text it should have)."""
    from hbmm.intake.alias_docs import updated  # noqa: PLC0415 (after django.setup())
    from hbmm.intake.aliases import alias_data  # noqa: PLC0415 (after django.setup())
    from hbmm.intake.mappers import registered_mappers  # noqa: PLC0415 (after django.setup())

    result = {}
    for doc, (package, data_module) in DOCS.items():
        data_path = importlib.import_module(data_module).ALIASES
        tables = list(alias_data(data_path)["columns"])
        mappers = sorted(
            (
                m
                for m in registered_mappers().values()
                if type(m).__module__.startswith(package + ".")
            ),
            # in the order of the data file, whatever the order of registration
            key=lambda m: (_table_index(m, data_path, tables), m.form_id),
        )
        words = alias_data(data_path).get("words", {})
        path = ROOT / doc
        text = path.read_text(encoding="utf-8")
        result[path] = (text, updated(text, mappers, words))
    return result


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
    import django  # noqa: PLC0415 (once src/ is on the path)

    django.setup()
    stale = []
    for path, (now, wanted) in expected().items():
        if now != wanted:
            stale.append(path.relative_to(ROOT))
            if "--check" not in argv:
                path.write_text(wanted, encoding="utf-8")
    if "--check" in argv and stale:
        print("not up to date (run python tools/import_docs.py):", *stale, file=sys.stderr)
        return 1
    for path in stale:
        print(f"{path}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
