"""Returnees of the displacement rounds (DTM mobility tracking): IDP returnees and returnees from
abroad per round and cercle, with their origins, through the intake pipeline (a French file and
form submissions), their checks, the figures with exact values and drill-downs, and the sitrep
sentence."""

import datetime as dt
import io

import pytest
from django.utils import translation

from hbmm.accounts.scope import user_scope
from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile, Submission
from hbmm.mobility import figures, selectors
from hbmm.mobility.models import DisplacementFigure
from hbmm.reports.sections.mobility import _returnees_sentence

D = dt.date

FRENCH_FILE = (
    "Round;Date;Pcode cercle;Individus;Retournés PDI;Retournés de l'étranger;"
    "Retournés PDI ML0505;Retournés PDI ML0703;Rapatriés NER;Rapatriés Algérie;Retournés\n"
    "1;31/01/2020;ML0601;900;300;200;300;;200;;\n"
    "2;31/03/2020;ML0601;1000;400;250;350;50;150;100;650\n"
    "2;31/03/2020;ML0701;700;120;80;;120;80;;\n"
    "2;31/03/2020;ML0501;2000;;;;;;;40\n"
    # row 6 rejected: IDP returnees per origin add up to 60, not 70
    "2;31/03/2020;ML0502;500;70;10;60;;;;\n"
    "2;31/03/2020;ML0503;500;0;10;;;;;\n"
    "2;31/03/2020;ML0504;500;;;;;;;\n"
)


@pytest.fixture
def national(make_user):
    return make_user("im_officer", areas=["MLI"])


@pytest.fixture
def returnee_rounds(reference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return file_import(
        kind="displacement",
        source=io.BytesIO(FRENCH_FILE.encode("utf-8")),
        original_name="suivi de la mobilite.csv",
    )


def _errors(imported) -> dict:
    return {
        s.row_number: {e["field"]: e["message"] for e in s.errors}
        for s in Submission.objects.filter(source_file=imported, status="quarantined")
    }


@pytest.mark.django_db
def test_a_french_file_records_returnees_per_kind_and_origin(returnee_rounds):
    imported = returnee_rounds
    assert imported.status == ImportFile.Status.DONE
    assert (imported.rows_read, imported.rows_accepted, imported.rows_quarantined) == (7, 6, 1)
    errors = _errors(imported)
    assert set(errors) == {6}
    assert "add up to 60, not to 70" in errors[6]["idp_returnee_origins"]
    rows = DisplacementFigure.objects.order_by("round__number", "area__pcode")
    assert [
        (
            r.round.number,
            r.area.pcode,
            r.returnees,
            r.idp_returnees,
            r.returnees_abroad,
            r.idp_returnee_origins,
            r.abroad_returnee_origins,
        )
        for r in rows
    ] == [
        (1, "ML0601", 500, 300, 200, {"ML0505": 300}, {"NER": 200}),
        (2, "ML0501", 40, None, None, {}, {}),
        (2, "ML0503", 10, 0, 10, {}, {}),
        (2, "ML0504", None, None, None, {}, {}),
        (2, "ML0601", 650, 400, 250, {"ML0505": 350, "ML0703": 50}, {"NER": 150, "DZA": 100}),
        (2, "ML0701", 200, 120, 80, {"ML0703": 120}, {"NER": 80}),
    ]


@pytest.mark.django_db
def test_returnee_checks_name_the_field(submit, mobility_sites):
    base = {"round": 3, "date": "31/03/2020", "pcode": "ML0501", "individus": 100}
    good = base | {"retournes_pdi": 5, "rapatries": 7, "rapatries_niger": 7}
    assert submit("displacement", good).status == "accepted"
    cases = [
        (base | {"pcode": "ML0502", "retournes_pdi": 5}, "returnees_abroad", "or neither"),
        (
            base | {"pcode": "ML0502", "retournes_pdi": 5, "rapatries": 7, "retournes": 13},
            "returnees",
            "add up to 12, not to 13",
        ),
        (
            base | {"pcode": "ML0502", "retournes_pdi": 5, "rapatries": 7, "rapatries_mli": 7},
            "rapatries_mli",
            "other than MLI",
        ),
        (
            base | {"pcode": "ML0502", "retournes_pdi": 5, "rapatries": 7, "rapatries_xyz": 7},
            "rapatries_xyz",
            "other than MLI",
        ),
        (
            base | {"pcode": "ML0502", "retournes_pdi": 5, "rapatries": 7, "retournes_pdi_bf13": 5},
            "retournes_pdi_bf13",
            "P-code of an area of MLI",
        ),
        (
            base | {"pcode": "ML0502", "retournes_pdi": 5, "rapatries": 7, "rapatries_NER": 6},
            "abroad_returnee_origins",
            "add up to 6, not to 7",
        ),
        (base | {"pcode": "ML0502", "retournes_pdi": -1, "rapatries": 7}, "idp_returnees", "0"),
    ]
    for data, field, message in cases:
        sent = submit("displacement", data)
        assert sent.status == "quarantined", data
        found = {e["field"]: e["message"] for e in sent.errors}
        assert message in found.get(field, ""), (data, sent.errors)
    assert DisplacementFigure.objects.count() == 1
    row = DisplacementFigure.objects.get()
    assert (row.returnees, row.idp_returnees, row.returnees_abroad) == (12, 5, 7)
    assert row.abroad_returnee_origins == {"NER": 7}
    # Origins alone give their count (and the returnees, once both kinds are known).
    origins_only = base | {"pcode": "ML0503", "retournes_pdi_ML0505": 4, "rapatries_DZA": 3}
    assert submit("displacement", origins_only).status == "accepted"
    row = DisplacementFigure.objects.get(area__pcode="ML0503")
    assert (row.returnees, row.idp_returnees, row.returnees_abroad) == (7, 4, 3)


@pytest.mark.django_db
def test_returnee_figures_take_each_areas_latest_round_and_drill_down(returnee_rounds, national):
    scope = user_scope(national)
    returnees = figures.returnees_current(scope=scope, as_of=D(2020, 5, 15))
    # Round 2: Tombouctou 650 (400 + 250), Gao 200 (120 + 80), Bandiagara 10 (0 + 10) and
    # Mopti 40 not broken down.
    assert returnees.total.value == 650 + 200 + 10 + 40
    assert (returnees.idp.value, returnees.abroad.value) == (520, 340)
    assert returnees.total.parts["not_broken_down"] == 40
    assert returnees.total.parts["areas"] == 4
    assert returnees.total.as_of == D(2020, 3, 31)
    assert [(f.key, f.value) for f in returnees.idp_origins] == [
        ("mobility.idp_returnees_from.ML0505", 350),
        ("mobility.idp_returnees_from.ML0703", 170),
    ]
    assert [(f.key, f.value) for f in returnees.abroad_origins] == [
        ("mobility.returnees_abroad_from.NER", 230),
        ("mobility.returnees_abroad_from.DZA", 100),
    ]
    assert returnees.total.drilldown.url() == (
        "/mobility/displacement/?as_of=2020-05-15&returnees=any"
    )
    niger = returnees.abroad_origins[0].drilldown.params
    assert niger == {"as_of": "2020-05-15", "returnees": "abroad", "origin": "NER"}
    drilled = selectors.displacement_records(
        scope=scope,
        current_on=D(2020, 5, 15),
        returnees=niger["returnees"],
        origin=niger["origin"],
    )
    assert sorted(drilled.values_list("area__pcode", flat=True)) == ["ML0601", "ML0701"]
    idp = selectors.displacement_records(scope=scope, current_on=D(2020, 5, 15), returnees="idp")
    assert sorted(idp.values_list("area__pcode", flat=True)) == ["ML0601", "ML0701"]
    # In February, round 1 only: Tombouctou.
    before = figures.returnees_current(scope=scope, as_of=D(2020, 2, 15))
    assert (before.total.value, before.idp.value, before.abroad.value) == (500, 300, 200)
    # Nothing before the first round: no data, never 0.
    assert figures.returnees_current(scope=scope, as_of=D(2020, 1, 1)).total.value is None


@pytest.mark.django_db
def test_returnee_sentence_english_and_french(returnee_rounds, national):
    scope = user_scope(national)
    with translation.override("en"):
        returnees = figures.returnees_current(scope=scope, as_of=D(2020, 5, 15))
        assert _returnees_sentence(returnees) == (
            "Returnees: 900 people (round 2, March 2020), of whom IDP returnees: 520; "
            "returnees from abroad: 340. Main countries of origin of returnees from abroad: "
            "Niger (230), Algeria (100)."
        )
    with translation.override("fr"):
        returnees = figures.returnees_current(scope=scope, as_of=D(2020, 5, 15))
        assert _returnees_sentence(returnees) == (
            "Retournés\u202f: 900 personnes (passage 2, mars 2020), dont PDI retournées\u202f: "
            "520\u202f; retournés de l’étranger\u202f: 340. Principaux pays de provenance des "
            "retournés de l’étranger\u202f: Niger (230), Algérie (100)."
        )


@pytest.mark.django_db
def test_returnee_sentence_singular_and_without_breakdown(submit, mobility_sites, national):
    row = {"round": 1, "date": "31/03/2020", "pcode": "ML0501", "individus": 10, "retournes": 1}
    assert submit("displacement", row).status == "accepted"
    with translation.override("en"):
        returnees = figures.returnees_current(scope=user_scope(national), as_of=D(2020, 4, 1))
        assert returnees.idp.value is None
        assert _returnees_sentence(returnees) == "Returnees: 1 person (round 1, March 2020)."
    with translation.override("fr"):
        assert _returnees_sentence(returnees) == (
            "Retournés\u202f: 1 personne (passage 1, mars 2020)."
        )
