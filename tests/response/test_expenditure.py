"""Expenditure by pillar and month from the finance system's export (file import, kind
`expenditure`): every row checked, the bad ones quarantined naming the field, nothing of them
kept; "spent against budget by pillar" with exact values equal to its drill-down."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.webforms import ImportUploadForm
from hbmm.response import figures
from hbmm.response.models import Expenditure

FILE = """\
mois,pilier,montant,devise,référence,libellé
2020-04,poe,"12 500,50",USD,FIN-001,Dispositifs de lavage des mains
2020-05,Points d’entrée (PoE),"1,000.00",,FIN-002,Thermomètres
2020-05,rcce,2000,USD,FIN-003,Spots radio
2020-05,rcce,-500,USD,FIN-004,Correction FIN-003
2020-06,poe,300,USD,FIN-005,Juin
2020-05,nothing,100,USD,FIN-006,
2021-03,poe,100,USD,FIN-007,
2020-05,poe,cent,USD,FIN-008,
2020-05,poe,100,EUR,FIN-009,
2020-05,poe,100,USD,FIN-001,déjà importée
2020-05,,100,USD,FIN-010,
"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def manager(make_user):
    return make_user("programme_manager", areas=["MLI"])


def _import(source, by, name="finance mai 2020.csv"):
    if isinstance(source, str):
        source = io.BytesIO(source.encode("utf-8"))
    return file_import(kind="expenditure", source=source, original_name=name, uploaded_by=by)


@pytest.mark.django_db
def test_the_finance_export_keeps_good_lines_and_names_each_bad_ones_field(plan, manager):
    imported = _import(FILE, manager)
    assert imported.status == ImportFile.Status.DONE
    assert (imported.rows_read, imported.rows_accepted, imported.rows_quarantined) == (11, 5, 6)
    bad = {
        s.row_number: {e["field"] for e in s.errors}
        for s in Submission.objects.filter(source_file=imported, status="quarantined")
    }
    assert bad == {
        7: {"pillar"},  # not a pillar of the plan
        8: {"month"},  # outside the plan
        9: {"amount"},  # not a number
        10: {"currency"},  # not the plan's
        11: {"reference"},  # FIN-001 is in this file already (row 2, kept)
        12: {"pillar"},  # required
    }
    lines = Expenditure.objects.order_by("reference")
    assert [(e.reference, e.pillar.code, e.month, e.amount) for e in lines] == [
        ("FIN-001", "poe", dt.date(2020, 4, 1), Decimal("12500.50")),
        ("FIN-002", "poe", dt.date(2020, 5, 1), Decimal("1000.00")),
        ("FIN-003", "rcce", dt.date(2020, 5, 1), Decimal("2000.00")),
        ("FIN-004", "rcce", dt.date(2020, 5, 1), Decimal("-500.00")),
        ("FIN-005", "poe", dt.date(2020, 6, 1), Decimal("300.00")),
    ]
    assert all(e.entered_by == manager for e in lines)
    # the same export again: every line refused, named; nothing counted twice
    again = _import(FILE, manager, name="finance mai 2020 (2).csv")
    assert again.rows_accepted == 0
    assert Expenditure.objects.count() == 5


@pytest.mark.django_db
def test_spent_against_budget_by_pillar_equals_its_drilldown(plan, manager, client):
    _import(FILE, manager)
    as_of = dt.date(2020, 5, 31)
    spending = figures.spending_figures(plan=plan, as_of=as_of)
    by_code = {f.key.removeprefix("response.spent."): f for f in spending.pillars}
    poe, rcce = by_code["poe"], by_code["rcce"]
    # June's line is after the date
    assert (poe.value, poe.denominator) == (Decimal("13500.50"), 750000)
    assert (rcce.value, rcce.denominator) == (1500, 150000)
    assert by_code["ipc"].value == 0
    assert (spending.total.value, spending.total.denominator) == (Decimal("15000.50"), 3000000)
    assert len(spending.pillars) == 11
    client.force_login(manager)
    for figure in (poe, rcce, spending.total):
        page = client.get(figure.drilldown.url())
        assert page.status_code == 200
        amounts = [dict((c.key, v) for c, v in row)["amount"] for row in page.context["page"]]
        assert sum(amounts) == figure.value
    dashboard = client.get("/response/", {"as_of": "2020-05-31"})
    assert dashboard.status_code == 200
    assert dashboard.context["spending"].total.value == Decimal("15000.50")


@pytest.mark.django_db
def test_an_xlsx_export_imports_the_same(plan, manager):
    book = Workbook()
    sheet = book.active
    sheet.append(["Month", "Pillar", "Amount", "Reference"])
    sheet.append([dt.datetime(2020, 5, 12), "Infection Prevention and Control", 2500.75, "X-1"])
    sheet.append(["2020-05", "ipc", "abc", "X-2"])
    body = io.BytesIO()
    book.save(body)
    body.seek(0)
    imported = _import(body, manager, name="finance.xlsx")
    assert (imported.rows_accepted, imported.rows_quarantined) == (1, 1)
    (line,) = Expenditure.objects.all()
    assert (line.pillar.code, line.month, line.amount) == (
        "ipc",
        dt.date(2020, 5, 1),
        Decimal("2500.75"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "offered"),
    [("programme_manager", True), ("im_officer", False), ("partner", False)],
)
def test_only_the_programme_manager_imports_expenditure(plan, make_user, role, offered):
    form = ImportUploadForm(user=make_user(role, areas=["MLI"]))
    assert ("expenditure" in dict(form.fields["kind"].choices)) is offered
