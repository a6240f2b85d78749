"""Mapper validation: every problem is reported with its field and value, nothing bad is stored;
French and English words and DTM export columns are accepted."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile, Submission
from hbmm.mobility.models import (
    DisplacementFigure,
    FlowCount,
    MobilityEvent,
    MrrcOccupancy,
    StrandedMigrants,
)
from hbmm.mobility.services import flow_counts_save
from hbmm.places.models import Site
from tests.mobility.conftest import flow


def reasons(submission) -> dict:
    return {e["field"]: e["message"] for e in submission.errors}


@pytest.mark.django_db
def test_flow_count_checks(submit, mobility_sites):
    tomorrow = (timezone.now().date() + dt.timedelta(days=1)).isoformat()
    cases = [
        (
            {**flow("2020-04-01", "BCP-GOGUI", "incoming", 5, 5, 5, 5), "total": 21},
            "total",
            "add up",
        ),
        (flow("2020-04-01", "BCP-GOGUI", "incoming", -1, 5, 5, 5), "men", "at least 0"),
        (flow(tomorrow, "BCP-GOGUI", "incoming", 1, 1, 1, 1), "observation_date", "future"),
        (flow("2020-04-01", "OFF-KAYES", "incoming", 1, 1, 1, 1), "site", "not a fmp"),
        (flow("2020-04-01", "FMP-OLD", "incoming", 1, 1, 1, 1), "site", "not active"),
        (flow("2020-04-01", "BCP-NOWHERE", "incoming", 1, 1, 1, 1), "site", "Unknown site"),
        (flow("2020-04-01", "BCP-GOGUI", "sideways", 1, 1, 1, 1), "direction", "Unknown value"),
        (
            flow("2020-04-01", "BCP-GOGUI", "incoming", 1, 1, 1, 1, unaccompanied_children=3),
            "unaccompanied_children",
            "More than the children",
        ),
        (
            flow("2020-04-01", "BCP-GOGUI", "incoming", 1, 1, 1, 1, nationality="XYZ"),
            "nationality",
            "Unknown country",
        ),
        (
            {
                k: v
                for k, v in flow("2020-04-01", "BCP-GOGUI", "in", 1, 1, 1, 1).items()
                if k != "girls"
            },
            "girls",
            "all four",
        ),
        (
            flow("2020-04-01", "BCP-GOGUI", "in", 1, 1, 1, 1, reason_economic=3),
            "reason_*",
            "add up to 3",
        ),
    ]
    for data, field, message in cases:
        sent = submit("flow_count", data)
        assert sent.status == "quarantined", data
        assert field in reasons(sent), (data, sent.errors)
        assert message.lower() in reasons(sent)[field].lower(), sent.errors
    assert FlowCount.objects.count() == 0
    # Still active on its last day.
    assert (
        submit("flow_count", flow("2019-12-31", "FMP-OLD", "out", 1, 1, 1, 1)).status == "accepted"
    )


FLOW_HEADER = "observation_date;site;direction;men;women;boys;girls;total;{extra}\n"


@pytest.mark.django_db
def test_the_mapper_makes_every_check_of_the_flow_count_service(mobility_sites, settings, tmp_path):
    """The intake pipeline writes flow counts without the service's checks
    (`flow_counts_save_batch`): each invariant `flow_counts_save` refuses is refused by the
    mapper, on a file row too, with the field and the row named; nothing is stored."""
    settings.MEDIA_ROOT = tmp_path
    tomorrow = (timezone.now().date() + dt.timedelta(days=1)).isoformat()
    good = "2020-04-01;BCP-GOGUI;in;1;1;1;1;4"
    rows = [  # (row, extra column, its value, field named, message)
        (f"{good[:-1]}5", "stranded", "", "total", "add up"),
        ("2020-04-01;BCP-GOGUI;in;-1;1;1;1;2", "stranded", "", "men", "at least 0"),
        ("2020-04-01;BCP-GOGUI;in;;1;1;1;3", "stranded", "", "men", "all four"),
        (f"{tomorrow};BCP-GOGUI;in;1;1;1;1;4", "stranded", "", "observation_date", "future"),
        ("2020-04-01;OFF-KAYES;in;1;1;1;1;4", "stranded", "", "site", "not a fmp"),
        ("2020-04-01;FMP-OLD;in;1;1;1;1;4", "stranded", "", "site", "not active"),
        (good, "unaccompanied_children", "3", "unaccompanied_children", "More than"),
        (good, "reason_economic", "3", "reason_*", "add up to 3"),
        (good, "nationality_GIN", "3", "nationality_*", "add up to 3"),
        (good, "observation_hours", "0", "observation_hours", "more than 0"),
        (good, "observation_hours", "-2", "observation_hours", "more than 0"),
        (good, "observation_hours", "24.5", "observation_hours", "at most 24"),
    ]
    for line, column, value, field, message in rows:
        text = FLOW_HEADER.format(extra=column) + f"{line};{value}\n"
        imported = file_import(
            kind="flow_count", source=io.BytesIO(text.encode()), original_name=f"{field}.csv"
        )
        assert (imported.rows_read, imported.rows_quarantined) == (1, 1), (line, column)
        row = Submission.objects.get(source_file=imported)
        assert row.row_number == 2
        assert message.lower() in reasons(row)[field].lower(), (line, row.errors)
    assert FlowCount.objects.count() == 0


@pytest.mark.django_db
def test_the_flow_count_service_still_checks_rows_given_to_it(mobility_sites):
    """Direct callers of `flow_counts_save` (loaders, benchmarks) are checked as before."""
    row = {
        "site": Site.objects.get(code="BCP-GOGUI"),
        "observation_date": dt.date(2020, 4, 1),
        "direction": "incoming",
        **{"men": 1, "women": 1, "boys": 1, "girls": 1, "total": 5},
    }
    with pytest.raises(ValidationError, match="add up to 4"):
        flow_counts_save(rows=[row])
    with pytest.raises(ValidationError, match="not active"):
        flow_counts_save(rows=[{**row, "site": Site.objects.get(code="FMP-OLD"), "total": 4}])
    assert FlowCount.objects.count() == 0
    assert flow_counts_save(rows=[{**row, "total": 4}]) == 1


@pytest.mark.django_db
def test_flow_count_outside_the_submitters_scope_is_refused(submit, make_user):
    agent = make_user("enumerator", areas=["ML01"])
    sent = submit("flow_count", flow("2020-04-01", "BCP-ZEGOUA", "in", 1, 1, 1, 1), user=agent)
    assert sent.status == "quarantined"
    assert "outside your geographic scope" in reasons(sent)["site"]
    ok = submit("flow_count", flow("2020-04-01", "BCP-GOGUI", "in", 1, 1, 1, 1), user=agent)
    assert ok.status == "accepted"


@pytest.mark.django_db
def test_flow_count_french_words_names_and_dtm_columns(submit, reference):
    sent = submit(
        "flow_count",
        {
            "Date": "02/04/2020",
            "Point de suivi": "Kourémalé",
            "Sens du flux": "Entrant",
            "Hommes": "3",
            "Femmes": "2",
            "Garçons": "1",
            "Filles": "0",
            "Nationalité": "Guinée",
            "Moyen de transport": "Moto",
            "Motif": "Économique",
            "Provenance": "Guinée",
            "Destination": "ML09",
        },
    )
    assert sent.status == "accepted", sent.errors
    record = FlowCount.objects.get(submission=sent)
    assert (record.site.code, record.direction, record.total) == ("BCP-KOUREMALE", "incoming", 6)
    assert (record.nationality, record.transport, record.reason) == (
        "GIN",
        "motorcycle",
        "economic",
    )
    assert (record.previous_country, record.next_country, record.next_area.pcode) == (
        "GIN",
        "MLI",
        "ML09",
    )
    # A WCA export row: no direction column, from/to tell it; reasons counted per column.
    wca = submit(
        "flow_count",
        {"date": "2019-02-01", "fmp": "BCP-DIBOLI", "from": "MLI", "to": "SEN", "n": "12",
         "reason_economic": "10", "reason_family": "2"},
    )  # fmt: skip
    assert wca.status == "accepted", wca.errors
    record = FlowCount.objects.get(submission=wca)
    assert (record.direction, record.total, record.men) == ("outgoing", 12, None)
    assert (record.reason, record.reason_counts) == ("economic", {"economic": 10, "family": 2})
    by_country = submit(
        "flow_count",
        {"date": "2019-02-02", "fmp": "BCP-DIBOLI", "from": "SEN", "to": "MLI", "n": "12",
         "nationality_MLI": "8", "Nationalité GIN": "4", "nat_SEN": "0"},
    )  # fmt: skip
    assert by_country.status == "accepted", by_country.errors
    record = FlowCount.objects.get(submission=by_country)
    assert (record.direction, record.nationality) == ("incoming", "MLI")
    assert record.nationality_counts == {"MLI": 8, "GIN": 4}
    wrong = submit(
        "flow_count",
        {"date": "2019-02-02", "fmp": "BCP-DIBOLI", "from": "SEN", "to": "MLI", "n": "12",
         "nationality_MLI": "8"},
    )  # fmt: skip
    assert "add up to 8" in reasons(wrong)["nationality_*"]
    unclear = submit(
        "flow_count",
        {"date": "2019-02-01", "fmp": "BCP-DIBOLI", "from": "GIN", "to": "SEN", "n": "4"},
    )
    assert "from GIN to SEN" in reasons(unclear)["direction"]


@pytest.mark.django_db
def test_displacement_checks(submit, mobility_sites):
    base = {"round": 3, "date": "31/03/2020", "pcode": "ML0501", "individus": 100}
    assert submit("displacement", base).status == "accepted"
    cases = [
        ({**base, "pcode": "ML05"}, "area", "level 2"),
        ({**base, "pcode": "ML0502", "date": "30/03/2020"}, "reporting_date", "reported on"),
        (base | {"individus": 5}, "area", "already has a figure"),
        ({**base, "pcode": "ML0502", "individus": -3}, "total", "at least 0"),
        ({**base, "pcode": "ML0901", "site": "MRRC-BAMAKO"}, "site", "not a"),
        ({**base, "pcode": "ML0502", "site": "IDP-FALADIE"}, "site", "not in ML0502"),
        ({**base, "pcode": "BF13"}, "area", "Not an area of Mali"),
    ]
    for data, field, message in cases:
        sent = submit("displacement", data)
        assert sent.status == "quarantined", data
        assert message in reasons(sent).get(field, ""), sent.errors
    assert DisplacementFigure.objects.count() == 1


@pytest.mark.django_db
def test_mrrc_stranded_and_event_checks(submit, mobility_sites, make_user):
    assert (
        submit("mrrc_occupancy", {"date": "2020-05-15", "site": "MRRC-GAO", "total": 5}).status
        == "accepted"
    )
    twice = submit("mrrc_occupancy", {"date": "2020-05-15", "site": "MRRC-GAO", "total": 6})
    assert "already has a report" in reasons(twice)["date"]
    not_mrrc = submit("mrrc_occupancy", {"date": "2020-05-15", "site": "BCP-GOGUI", "total": 6})
    assert "not a mrrc" in reasons(not_mrrc)["site"]
    assert MrrcOccupancy.objects.count() == 1

    sent = submit(
        "stranded",
        {"date": "2020-03-20", "site": "BCP-GOGUI", "count": 9, "nationalites": "Mauritanie, SEN",
         "besoins": "nourriture abri"},
    )  # fmt: skip
    assert sent.status == "accepted", sent.errors
    group = StrandedMigrants.objects.get()
    assert (group.nationalities, group.needs) == (["MRT", "SEN"], ["food", "shelter"])
    bad = submit(
        "stranded", {"date": "2020-03-20", "site": "BCP-GOGUI", "count": "x", "besoins": "wifi"}
    )
    assert set(reasons(bad)) == {"count", "needs"}

    kayes = make_user("enumerator", areas=["ML01"])
    event = {"date": "2020-03-19", "type": "Fermeture des frontières", "pcode": "ML0501"}
    refused = submit("event", event, user=kayes)
    assert "outside your geographic scope" in reasons(refused)["area"]
    assert submit("event", event).status == "accepted"
    assert MobilityEvent.objects.get().event_type == "border_closure"


MESSY = (
    "\ufeffDate;Point de suivi;Sens du flux;Hommes;Femmes;Garçons;Filles;Total;Nationalité;"
    "Moyen de transport;Motif\r\n"
    "01/04/2020;Kourémalé;Entrant;10;5;3;2;20;Guinée;Autocar;Économique\r\n"
    "01/04/2020;Kourémalé;Sortant;8;4;2;2;17;Mali;Camion;Visite familiale\r\n"
    "31/04/2020;Zégoua;Entrant;1;1;1;1;4;Mali;Moto;Autre\r\n"
    "02/04/2020;Zégoua;Sortie;12;6;1;1;20;Côte d'Ivoire;Voiture;Saisonnier\r\n"
    ";;;;;;;;;;\r\n"
    "03/04/2020;Tombouctou;Entrant;1;1;1;1;4;Mali;Moto;Autre\r\n"
    "03/04/2020;BCP-SONA;entrée;2;2;0;0;4;Burkina Faso;à pied;santé\r\n"
)


@pytest.mark.django_db
def test_import_of_a_messy_french_file_quarantines_bad_rows_only(reference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    imported = file_import(
        kind="flow_count",
        source=io.BytesIO(MESSY.encode("utf-8")),
        original_name="registre avril 2020.csv",
    )
    assert imported.status == ImportFile.Status.DONE
    assert (imported.rows_read, imported.rows_accepted, imported.rows_quarantined) == (6, 3, 3)
    bad = {
        s.row_number: {e["field"] for e in s.errors}
        for s in Submission.objects.filter(source_file=imported, status="quarantined")
    }
    # Row 3: parts add up to 16, not 17; row 4: 31 April; row 7: no such point.
    assert bad == {3: {"total"}, 4: {"observation_date"}, 7: {"site"}}
    counts = FlowCount.objects.order_by("observation_date", "site__code", "direction")
    assert [(c.site.code, c.direction, c.total, c.reason) for c in counts] == [
        ("BCP-KOUREMALE", "incoming", 20, "economic"),
        ("BCP-ZEGOUA", "outgoing", 20, "seasonal"),
        ("BCP-SONA", "incoming", 4, "health"),
    ]
    assert all(c.submission.source_file_id == imported.pk for c in counts)
    again = file_import(
        kind="flow_count", source=io.BytesIO(MESSY.encode("utf-8")), original_name="copie.csv"
    )
    assert (again.rows_duplicate, again.rows_accepted) == (6, 0)
    assert FlowCount.objects.count() == 3
