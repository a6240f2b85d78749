# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""The shipped XLSForms: convert with pyxform, carry the mapper's form id and field names,
French and English labels, and match the code that writes them; an instance of each is
accepted by the pipeline."""

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.health.ebs import xlsforms as ebs_xlsforms
from hbmm.health.ebs.intake_mappers import SignalMapper
from hbmm.health.ebs.models import Signal
from hbmm.health.screening import xlsforms
from hbmm.health.screening.intake_mappers import ScreeningMapper
from hbmm.health.screening.models import Screening
from hbmm.intake.parsing import parse_xml
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from tests.health.screening_fixtures import english, focal_point  # noqa: F401

FORMS = [
    ("screening", ScreeningMapper, xlsforms.screening_form),
    ("signal", SignalMapper, ebs_xlsforms.signal_form),
]


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


@pytest.mark.parametrize(("name", "mapper", "build"), FORMS)
def test_form_converts_and_matches_its_mapper(name, mapper, build):
    path = xlsforms.FORMS_DIR / f"{name}.xlsx"
    result = convert(xlsform=str(path))
    assert result.warnings == []
    settings = _rows(path, "settings")[0]
    assert settings["form_id"] == mapper.form_id == name
    survey = _rows(path, "survey")
    assert survey == [{k: str(v) for k, v in row.items() if v != ""} for row in build()["survey"]]
    fields = {r["name"] for r in survey if not r["type"].startswith(("begin", "end", "start"))}
    fields -= {"deviceid"}
    # Every answer is a field the mapper reads (canonical names, not aliases).
    known = set(mapper.aliases) | {"point", "screened_at", "age", "reporter", "location"}
    assert fields <= known, fields - known
    labelled = [r for r in survey if r["type"] not in ("start", "end", "deviceid", "end_group")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in labelled)
    sites = [r for r in survey if r["type"] == "select_one_from_file sites.csv"]
    assert len(sites) == 1


def _instance(form_id, fields: dict) -> str:
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return (
        f'<data id="{form_id}" version="{xlsforms.VERSION}"><traveller>{body}</traveller>'
        f"<meta><instanceID>uuid:{form_id}-1</instanceID></meta></data>"
    )


@pytest.mark.django_db
def test_instances_of_both_forms_are_accepted(focal_point):
    screening_xml = _instance(
        "screening",
        {
            "point": "BCP-KOUREMALE",
            "screened_at": "2020-04-20T09:12:00.000Z",
            "sex": "female",
            "age": "23",
            "nationality": "GIN",
            "countries_visited": "GIN SLE",
            "temperature": "37.1",
            "symptoms": "",
        },
    )
    signal_xml = _instance(
        "signal",
        {
            "reporter": "CFP-001",
            "reported_at": "2020-04-20T09:00:00.000Z",
            "kind": "rumour",
            "site": "",
            "pcode": "ML0103",
            "location": "",
        },
    )
    for xml in (screening_xml, signal_xml):
        parsed = parse_xml(xml)
        received = submission_receive(
            channel="openrosa",
            form_id=parsed.form_id,
            instance_id=parsed.instance_id,
            payload=xml,
            payload_format="xml",
            data=parsed.data,
        )
        submissions_process([received.submission])
        received.submission.refresh_from_db()
        assert received.submission.status == "accepted", received.submission.errors
    assert Screening.objects.get().countries_visited == ["GIN", "SLE"]
    assert Signal.objects.get().area.pcode == "ML0103"
