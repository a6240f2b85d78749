"""The import docs list exactly the names the imports accept (written from the alias data)."""

import importlib.util
from pathlib import Path

import pytest

from hbmm.intake import alias_docs
from hbmm.intake.mappers import get_mapper
from hbmm.intake.parsing import alias_map

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("import_docs", ROOT / "tools/import_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_docs_are_up_to_date():
    stale = [
        str(path.relative_to(ROOT))
        for path, (now, wanted) in _tool().expected().items()
        if now != wanted
    ]
    assert not stale, f"run python tools/import_docs.py: {stale}"


@pytest.mark.parametrize(
    ("doc", "form_id"),
    [
        ("docs/imports-mobility.md", "flow_count"),
        ("docs/imports-health.md", "screening"),
        ("docs/imports-feedback.md", "feedback"),
        ("docs/imports-supplies.md", "supplies_receipt"),
        ("docs/imports-supplies.md", "supplies_distribution"),
    ],
)
def test_every_alias_the_mappers_accept_is_in_the_doc(doc, form_id):
    text = (ROOT / doc).read_text(encoding="utf-8")
    section = text[text.index(alias_docs.BEGIN) : text.index(alias_docs.END)]
    for field, names in get_mapper(form_id).aliases.items():
        assert f"| `{field}` | " in section
        for name in names:
            assert f"`{name}`" in section


def test_aliases_come_from_the_data_files():
    # the data file's names are what the pipeline maps (a DTM export's `fmp` is the site)
    assert alias_map(get_mapper("flow_count").aliases)["fmp"] == "site"
    assert alias_map(get_mapper("poe_status").aliases)["statut"] == "status"
    assert alias_map(get_mapper("feedback").aliases)["canal"] == "channel"
    assert alias_map(get_mapper("supplies_receipt").aliases)["motifmanque"] == "shortfall_reason"


def test_a_doc_without_its_markers_is_refused():
    with pytest.raises(ValueError):
        alias_docs.updated("# no markers", [], {})
