"""The mobility XLSForms convert with pyxform, and their fields are the mappers' names."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.intake.mappers import get_mapper

FORMS = Path(__file__).resolve().parents[2] / "src/hbmm/intake/forms"
MOBILITY_FORMS = ["displacement", "mrrc_occupancy", "stranded", "event"]
# `parts`: the sum the form checks against the total (the server sums them itself).
NOT_DATA = {"start", "end", "deviceid", "total_note", "breakdown", "parts"}


def sheet_rows(path: Path, name: str) -> list[dict]:
    sheet = load_workbook(path, read_only=True)[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


@pytest.mark.parametrize("form_id", MOBILITY_FORMS)
def test_form_converts_and_matches_its_mapper(form_id):
    path = FORMS / f"{form_id}.xlsx"
    result = convert(xlsform=str(path))
    assert f'id="{form_id}"' in result.xform
    settings = sheet_rows(path, "settings")[0]
    assert settings["form_id"] == form_id
    mapper = get_mapper(form_id)
    survey = sheet_rows(path, "survey")
    names = {r["name"] for r in survey if r["name"] and r["name"] not in NOT_DATA}
    assert names <= set(mapper.aliases), names - set(mapper.aliases)
    labelled = [
        r for r in survey if r["type"] not in ("start", "end", "deviceid", "calculate", "end_group")
    ]
    assert all(r["label::French (fr)"] and r["label::English (en)"] for r in labelled)
    site = [r for r in survey if r["name"] == "site"]
    assert site and site[0]["type"] == "select_one_from_file sites.csv"
