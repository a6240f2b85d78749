"""The committed OpenAPI schema (docs/openapi.yaml) is the schema of the code."""

from pathlib import Path

from hbmm.api.schema import schema_yaml

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_the_committed_schema_is_up_to_date():
    assert SCHEMA.read_text() == schema_yaml(), (
        "docs/openapi.yaml differs from the code: run `.venv/bin/hbmm api_schema`"
    )


def test_the_schema_declares_the_token_and_every_table():
    from hbmm.presentation.tables import registered_tables

    text = schema_yaml()
    assert "scheme: bearer" in text
    for table in registered_tables():
        assert f"{table.key.replace('.', '_')}_list" in text


def test_every_export_writer_call_passes_hxl_tags():
    """Every export goes through hbmm.exports with an HXL row: each call in src/ names one."""
    import ast

    src = Path(__file__).resolve().parents[2] / "src" / "hbmm"
    calls = 0
    for path in src.rglob("*.py"):
        if path.name == "exports.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("export_response", "csv_lines", "xlsx_bytes"):
                calls += 1
                assert "hxl" in {k.arg for k in node.keywords}, f"{path}:{node.lineno}"
    assert calls >= 3
