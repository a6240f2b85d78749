# ruff: noqa: F811  (pytest fixtures imported from tests.health.screening_fixtures)
"""Laboratories and samples: the steps' order and time checks (audited), the screening's sample
and result steps writing the Sample (one truth), the turnaround figures with exact values over
known records, the laboratory's result file (a good row, an unknown sample id quarantined
naming the field and row, the same file again changing nothing), and the scope of samples."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import EVERYTHING, user_scope
from hbmm.health.labs import figures, selectors, services
from hbmm.health.labs.models import LabKind, Laboratory, LabStatus, Sample
from hbmm.health.screening import workflow
from hbmm.health.screening.services import screening_create
from hbmm.intake.channels.files import file_import
from hbmm.intake.models import Submission
from hbmm.places.models import Site
from hbmm.places.services import site_registry_import
from tests.health.screening_fixtures import T0, english, facilities, fever_cough  # noqa: F401

H = dt.timedelta(hours=1)


@pytest.fixture
def labs(facilities):
    """The national lab (Bamako) and a mobile lab at Diboli (Kayes)."""
    site_registry_import(
        rows=[
            (
                1,
                {
                    "code": "LAB-MOB-DIBOLI",
                    "name_fr": "Laboratoire mobile de Diboli",
                    "name_en": "Diboli mobile laboratory",
                    "kinds": "lab",
                    "pcode": "ML0103",
                },
            )
        ]
    )
    return {"national": facilities["lab"], "mobile": Site.objects.get(code="LAB-MOB-DIBOLI")}


def take(sample_id: str, at: dt.datetime, *, point="BCP-DIBOLI", lab=None) -> Sample:
    return services.sample_take(
        sample_id=sample_id, point=Site.objects.get(code=point), taken_at=at, by=None, lab=lab
    )


# --- registry -------------------------------------------------------------------------------


def test_a_mobile_laboratory_names_its_point_and_is_audited(labs):
    with pytest.raises(ValidationError) as refused:
        services.laboratory_save(
            site=labs["mobile"], kind=LabKind.MOBILE, status=LabStatus.OPERATIONAL, by=None
        )
    assert refused.value.message_dict == {
        "point": ["A mobile laboratory names its point of entry."]
    }
    with pytest.raises(ValidationError):  # a hospital is not a laboratory
        services.laboratory_save(
            site=Site.objects.get(code="HF-KAYES"),
            kind=LabKind.REGIONAL,
            status=LabStatus.OPERATIONAL,
            by=None,
        )
    lab = services.laboratory_save(
        site=labs["mobile"],
        kind=LabKind.MOBILE,
        point=Site.objects.get(code="BCP-DIBOLI"),
        status=LabStatus.PARTIAL,
        since=dt.date(2020, 4, 13),
        daily_capacity=30,
        by=None,
    )
    again = services.laboratory_save(
        site=labs["mobile"],
        kind=LabKind.MOBILE,
        point=Site.objects.get(code="BCP-DIBOLI"),
        status=LabStatus.OPERATIONAL,
        daily_capacity=35,
        by=None,
    )
    assert again.pk == lab.pk and Laboratory.objects.count() == 1
    assert (again.status, again.daily_capacity) == ("operational", 35)
    steps = AuditEvent.objects.filter(target=f"health.laboratory:{lab.pk}").order_by("pk")
    assert [e.details["step"] for e in steps] == ["registered", "updated"]


# --- steps ----------------------------------------------------------------------------------


def test_steps_in_order_each_audited(labs):
    sample = take("ML-0001", T0, lab=labs["national"])
    with pytest.raises(ValidationError) as early:
        services.sample_ship(
            sample=sample, by=None, lab=labs["national"], transport="courier", at=T0 - H
        )
    assert early.value.messages == ["The time is before the sampling (2020-04-14 08:00)."]
    with pytest.raises(ValidationError) as future:
        services.sample_receive(sample=sample, by=None, at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    assert future.value.messages == ["The time is in the future."]
    with pytest.raises(ValidationError) as no_result:
        services.sample_communicate(sample=sample, by=None, at=T0 + H)
    assert no_result.value.messages == ["Record the result first."]
    services.sample_ship(
        sample=sample, by=None, lab=labs["national"], transport="courier", at=T0 + 2 * H
    )
    services.sample_receive(sample=sample, by=None, at=T0 + 10 * H)
    with pytest.raises(ValidationError) as before_reception:
        services.sample_result(sample=sample, by=None, result="positive", at=T0 + 9 * H)
    assert before_reception.value.messages == [
        "The time is before the reception (2020-04-14 18:00)."
    ]
    with pytest.raises(ValidationError) as no_reason:
        services.sample_result(sample=sample, by=None, result="rejected", at=T0 + 11 * H)
    assert no_reason.value.messages == ["A rejected sample needs the reason."]
    services.sample_result(sample=sample, by=None, result="negative", at=T0 + 30 * H)
    with pytest.raises(ValidationError) as twice:
        services.sample_receive(sample=Sample.objects.get(pk=sample.pk), by=None, at=T0 + 11 * H)
    assert twice.value.messages == ["This step was already recorded on 2020-04-14 18:00."]
    services.sample_communicate(sample=sample, by=None, at=T0 + 31 * H)
    sample.refresh_from_db()
    assert sample.status == "communicated"
    events = AuditEvent.objects.filter(target=f"health.sample:{sample.pk}").order_by("pk")
    assert [e.details["step"] for e in events] == [
        "taken",
        "shipped",
        "received",
        "tested",
        "communicated",
    ]


def test_a_later_step_closes_the_earlier_ones(labs):
    sample = take("ML-0002", T0, lab=labs["mobile"])
    services.sample_receive(sample=sample, by=None, at=T0 + H)  # tested on site: no shipment
    with pytest.raises(ValidationError) as closed:
        services.sample_ship(
            sample=sample, by=None, lab=labs["mobile"], transport="other", at=T0 + 2 * H
        )
    assert closed.value.messages == [
        "The reception is already recorded: this step can no longer be added."
    ]


def test_a_sample_id_is_unique_and_a_barcode(labs):
    take("ML-0003", T0)
    with pytest.raises(ValidationError) as twice:
        take("ML-0003", T0 + H)
    assert twice.value.message_dict == {"sample_id": ["This sample id is already recorded."]}
    with pytest.raises(ValidationError) as spaces:
        take("ML 4", T0)
    assert list(spaces.value.message_dict) == ["sample_id"]


def test_the_screening_sample_and_result_steps_write_the_sample(labs, make_user):
    screening = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, notify=False, **fever_cough()
    )
    workflow.screening_notify(screening=screening, by=None, at=T0 + H, send_email=False)
    workflow.screening_sample(
        screening=screening, by=None, lab=labs["national"], at=T0 + 2 * H, sample_id="BAR-77"
    )
    sample = Sample.objects.get(screening=screening)
    assert (sample.sample_id, sample.taken_at, sample.lab, sample.point.code) == (
        "BAR-77",
        T0 + 2 * H,
        labs["national"],
        "BCP-DIBOLI",
    )
    services.sample_ship(
        sample=sample, by=None, lab=labs["national"], transport="air", at=T0 + 3 * H
    )
    services.sample_receive(sample=sample, by=None, at=T0 + 6 * H)
    with pytest.raises(ValidationError) as before:  # the sample's order, from the screening
        workflow.screening_result(screening=screening, by=None, result="positive", at=T0 + 5 * H)
    assert before.value.messages == ["The time is before the reception (2020-04-14 14:00)."]
    workflow.screening_result(screening=screening, by=None, result="positive", at=T0 + 30 * H)
    sample.refresh_from_db()
    screening.refresh_from_db()
    assert (sample.result, sample.tested_at) == ("positive", T0 + 30 * H)
    assert (screening.lab_result, screening.result_at, screening.sampled_at) == (
        "positive",
        T0 + 30 * H,
        T0 + 2 * H,
    )


def test_a_result_from_the_sample_page_reaches_the_screening(labs):
    screening = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, notify=False, **fever_cough()
    )
    workflow.screening_notify(screening=screening, by=None, at=T0 + H, send_email=False)
    workflow.screening_sample(screening=screening, by=None, lab=labs["mobile"], at=T0 + 2 * H)
    sample = Sample.objects.get(screening=screening)
    assert sample.sample_id == screening.reference  # no barcode given
    services.sample_result(sample=sample, by=None, result="negative", at=T0 + 8 * H)
    screening.refresh_from_db()
    assert (screening.lab_result, screening.result_at) == ("negative", T0 + 8 * H)


# --- figures --------------------------------------------------------------------------------


def _known_records(labs):
    """Five samples with known delays (hours after sampling).

    shipment: 2, 4, 6, 10 (n=4)        reception: 5, 9, 12 (n=3)
    result: 24, 30, 50, 70 (n=4)      communication: 26, 33 (n=2)
    results: positive, negative, positive, inconclusive; one sample waiting since T0+7d."""
    national, mobile = labs["national"], labs["mobile"]
    plan = [
        # id, taken, lab, ship, receive, result hours, result, communicate
        ("A-1", T0, national, 2, 5, 24, "positive", 26),
        ("A-2", T0 + H, national, 4, 9, 30, "negative", 33),
        ("A-3", T0 + 2 * H, mobile, 6, 12, 50, "positive", None),
        ("A-4", T0 + 3 * H, mobile, 10, None, 70, "inconclusive", None),
        ("B-1", T0 + 7 * 24 * H, national, None, None, None, "", None),
    ]
    for sample_id, taken, lab, ship, receive, result_h, result, communicate in plan:
        sample = take(sample_id, taken, lab=lab)
        if ship is not None:
            services.sample_ship(
                sample=sample, by=None, lab=lab, transport="courier", at=taken + ship * H
            )
        if receive is not None:
            services.sample_receive(sample=sample, by=None, at=taken + receive * H)
        if result_h is not None:
            services.sample_result(sample=sample, by=None, result=result, at=taken + result_h * H)
        if communicate is not None:
            services.sample_communicate(sample=sample, by=None, at=taken + communicate * H)


def _values(period):
    return {f.key: (f.value, f.denominator) for f in period.figures}


def test_turnaround_median_and_p90_over_known_records(labs):
    _known_records(labs)
    period = figures.lab_period(scope=EVERYTHING, start=None, end=dt.date(2020, 4, 30))
    values = _values(period)
    assert values["labs.samples"] == (5, None)
    # median of 2,4,6,10 = 5; p90 nearest rank: ceil(3.6)=4th = 10
    assert values["labs.median_hours_to_shipment"] == (5.0, None)
    assert values["labs.p90_hours_to_shipment"] == (10.0, None)
    assert values["labs.median_hours_to_reception"] == (9.0, None)  # 5, 9, 12
    assert values["labs.p90_hours_to_reception"] == (12.0, None)
    assert values["labs.median_hours_to_result"] == (40.0, None)  # 24, 30, 50, 70
    assert values["labs.p90_hours_to_result"] == (70.0, None)
    assert values["labs.median_hours_to_communication"] == (29.5, None)  # 26, 33
    assert values["labs.p90_hours_to_communication"] == (33.0, None)
    # B1 taken 2020-04-21 08:00, no result: waiting > 48 h at the end of 30 April
    assert values["labs.waiting_48h"] == (1, 1)
    assert values["labs.positivity"] == (2, 4)
    by_lab = {row["key"]: row for row in period.by_lab}
    assert by_lab["LAB-INRSP"]["result"] == {"median": 27.0, "p90": 30.0, "n": 2}
    assert by_lab["LAB-MOB-DIBOLI"]["result"] == {"median": 60.0, "p90": 70.0, "n": 2}
    assert [(r["key"], r["samples"]) for r in period.by_week] == [("2020-W16", 4), ("2020-W17", 1)]
    assert [(r["key"], r["positive"], r["tested"]) for r in period.positivity_by_week] == [
        ("2020-W16", 2, 4),
        ("2020-W17", 0, 0),
    ]
    assert [(r["key"], r["positive"], r["tested"]) for r in period.positivity_by_point] == [
        ("BCP-DIBOLI", 2, 4)
    ]


def test_figures_of_a_past_date_count_what_was_known_then(labs):
    _known_records(labs)
    # End of 15 April: A1 and A2 had their results (15 April 08:00 and 15:00), A3 and A4 not.
    values = _values(figures.lab_period(scope=EVERYTHING, start=None, end=dt.date(2020, 4, 15)))
    assert values["labs.samples"] == (4, None)
    assert values["labs.median_hours_to_result"] == (27.0, None)  # 24, 30
    assert values["labs.waiting_48h"] == (0, 2)  # both taken less than 48 h before 16 April
    assert values["labs.median_hours_to_reception"] == (9.0, None)
    assert values["labs.positivity"] == (1, 2)


# --- the laboratory's result file -----------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def lab_file(rows: list[str]) -> bytes:
    header = "Code échantillon;Date d'analyse;Résultat;Motif de rejet;Date de réception"
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_result_file_good_row_unknown_id_quarantined_and_idempotent(labs, make_user, media):
    officer = make_user("im_officer", areas=["MLI"])
    screening = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, notify=False, **fever_cough()
    )
    workflow.screening_notify(screening=screening, by=None, at=T0 + H, send_email=False)
    workflow.screening_sample(
        screening=screening, by=None, lab=labs["national"], at=T0 + 2 * H, sample_id="LAB-100"
    )
    take("LAB-101", T0, lab=labs["national"])
    content = lab_file(
        [
            "LAB-100;16/04/2020;positif;;15/04/2020 09:00",
            "LAB-999;16/04/2020;négatif;;",
            "LAB-101;16/04/2020;rejeté;Tube cassé;",
        ]
    )
    record = file_import(
        kind="lab_results",
        source=io.BytesIO(content),
        original_name="labo.csv",
        uploaded_by=officer,
    )
    assert (record.rows_accepted, record.rows_quarantined) == (2, 1)
    quarantined = Submission.objects.get(source_file=record, status=Submission.Status.QUARANTINED)
    assert quarantined.row_number == 3  # the header is row 1
    assert [(e["field"], e["message"]) for e in quarantined.errors] == [
        ("sample_id", "Unknown sample id: no sample recorded with this id in your scope.")
    ]
    sample = Sample.objects.get(sample_id="LAB-100")
    assert (sample.result, sample.received_at, sample.tested_at) == (
        "positive",
        dt.datetime(2020, 4, 15, 9, 0, tzinfo=dt.UTC),
        # a date without a time: that day, not before its reception (none that day): midnight
        dt.datetime(2020, 4, 16, 0, 0, tzinfo=dt.UTC),
    )
    screening.refresh_from_db()
    assert (screening.lab_result, screening.result_at) == ("positive", sample.tested_at)
    rejected = Sample.objects.get(sample_id="LAB-101")
    assert (rejected.result, rejected.rejection_reason) == ("rejected", "Tube cassé")
    events = AuditEvent.objects.filter(target__startswith="health.sample:").count()
    again = file_import(
        kind="lab_results",
        source=io.BytesIO(content),
        original_name="labo.csv",
        uploaded_by=officer,
    )
    assert (again.rows_accepted, again.rows_quarantined, again.rows_duplicate) == (0, 0, 3)
    assert AuditEvent.objects.filter(target__startswith="health.sample:").count() == events
    sample.refresh_from_db()
    assert sample.tested_at == dt.datetime(2020, 4, 16, 0, 0, tzinfo=dt.UTC)


def test_result_file_row_out_of_order_is_quarantined(labs, make_user, media):
    officer = make_user("im_officer", areas=["MLI"])
    sample = take("LAB-200", T0, lab=labs["national"])
    services.sample_receive(sample=sample, by=None, at=T0 + 30 * H)  # 15 April 14:00
    content = lab_file(["LAB-200;2020-04-15 10:00;negative;;", "LAB-200;15/04/2020;négatif;;"])
    record = file_import(
        kind="lab_results", source=io.BytesIO(content), original_name="l.csv", uploaded_by=officer
    )
    assert (record.rows_accepted, record.rows_quarantined) == (1, 1)
    bad = Submission.objects.get(source_file=record, status=Submission.Status.QUARANTINED)
    assert bad.row_number == 2
    assert [(e["field"], e["message"]) for e in bad.errors] == [
        ("tested_at", "The time is before the reception (2020-04-15 14:00).")
    ]
    sample.refresh_from_db()
    # a date alone, on the day of the reception: at the reception's time, not before it
    assert sample.tested_at == T0 + 30 * H


def test_the_import_template_lists_the_columns(labs, make_user, client):
    client.force_login(make_user("im_officer", areas=["MLI"]))
    response = client.get(reverse("intake:import-template", args=["lab_results", "csv"]))
    assert response.status_code == 200
    first = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert first == "sample_id,tested_at,result,rejection_reason,received_at"


# --- scope ----------------------------------------------------------------------------------


def test_samples_are_seen_from_their_point_and_from_their_lab(labs, make_user):
    at_diboli = take("S-KAYES", T0, lab=labs["national"])  # taken in Kayes, tested in Bamako
    at_zegoua = take("S-SIKASSO", T0, point="BCP-ZEGOUA")  # Sikasso, no lab yet
    kayes = make_user("poe_agent", areas=["ML01"])
    bamako = make_user("surveillance_officer", areas=["ML09"])
    sikasso = make_user("poe_agent", areas=["ML03"])

    def seen(user):
        return sorted(
            selectors.sample_list(scope=user_scope(user)).values_list("sample_id", flat=True)
        )

    assert seen(kayes) == ["S-KAYES"]
    assert seen(bamako) == ["S-KAYES"]  # through its laboratory
    assert seen(sikasso) == ["S-SIKASSO"]
    with pytest.raises(Exception) as hidden:
        selectors.sample_get(scope=user_scope(sikasso), pk=at_diboli.pk)
    assert type(hidden.value).__name__ == "Http404"
    assert selectors.sample_get(scope=user_scope(sikasso), pk=at_zegoua.pk) == at_zegoua


def test_list_filters_and_pages(labs, make_user, client):
    sample = take("F-1", T0, lab=labs["national"])
    take("F-2", T0 + 8 * 24 * H, lab=labs["mobile"])
    services.sample_result(sample=sample, by=None, result="negative", at=T0 + 5 * H)
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    url = reverse("health:sample_list")

    def ids(query):
        page = client.get(url, query).context["page"]
        return [s.sample_id for s in page]

    assert ids({}) == ["F-2", "F-1"]
    assert ids({"lab": "LAB-INRSP"}) == ["F-1"]
    assert ids({"status": "waiting"}) == ["F-2"]
    assert ids({"status": "resulted"}) == ["F-1"]
    assert ids({"week": "2020-W16"}) == ["F-1"]
    response = client.get(reverse("health:sample_detail", args=[sample.pk]))
    assert response.status_code == 200 and b"F-1" in response.content


def test_steps_posted_from_the_sample_page(labs, make_user, client):
    sample = take("P-1", T0, lab=labs["national"])
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    url = reverse("health:sample_action", args=[sample.pk, "ship"])
    response = client.post(
        url, {"lab": labs["national"].pk, "transport": "courier", "at": "2020-04-14T07:00"}
    )
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.shipped_at is None  # before the sampling: refused
    client.post(url, {"lab": labs["national"].pk, "transport": "courier", "at": "2020-04-14T09:00"})
    sample.refresh_from_db()
    assert sample.shipped_at == T0 + H


def test_labs_page_shows_the_figures(labs, make_user, client):
    _known_records(labs)
    client.force_login(make_user("viewer", areas=["MLI"]))
    response = client.get(reverse("health:labs_dashboard"), {"as_of": "2020-04-30"})
    assert response.status_code == 200
    shown = {f.key: f.value for f in response.context["period"].figures}
    assert shown["labs.median_hours_to_result"] == 40.0
    registry = client.get(reverse("health:lab_registry"))
    assert registry.status_code == 200


def test_a_rejected_sample_lets_the_case_close_without_a_result(labs):
    screening = screening_create(
        point=Site.objects.get(code="BCP-DIBOLI"), screened_at=T0, notify=False, **fever_cough()
    )
    workflow.screening_notify(screening=screening, by=None, at=T0 + H, send_email=False)
    workflow.screening_sample(screening=screening, by=None, lab=labs["national"], at=T0 + 2 * H)
    with pytest.raises(ValidationError):
        workflow.screening_close(screening=screening, by=None, outcome="released", at=T0 + 3 * H)
    workflow.screening_result(
        screening=screening,
        by=None,
        result="rejected",
        rejection_reason="Leaking tube",
        at=T0 + 20 * H,
    )
    screening.refresh_from_db()
    assert (screening.lab_result, screening.result_at) == ("", None)
    workflow.screening_close(screening=screening, by=None, outcome="released", at=T0 + 21 * H)
    screening.refresh_from_db()
    assert screening.outcome == "released"


def test_pages_in_french_show_labels_not_codes(labs, make_user, client, settings):
    _known_records(labs)
    client.force_login(make_user("surveillance_officer", areas=["MLI"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("health:labs_dashboard"), {"as_of": "2020-04-30"}).content.decode()
    assert "Délais par laboratoire (heures)" in page
    assert "Heures médianes, du prélèvement au résultat" in page
    listing = client.get(reverse("health:sample_list")).content.decode()
    assert "en attente d’un résultat" in listing and "résultat communiqué" in listing
    for code in ("nasopharyngeal_swab", ">positive<", ">communicated<", ">rejected<"):
        assert code not in page + listing
    new = client.post(
        reverse("health:sample_new"),
        {
            "sample_id": "NEW-1",
            "sample_type": "sputum",
            "point": Site.objects.get(code="BCP-DIBOLI").pk,
            "taken_at": "2020-04-14T08:00",
        },
    )
    sample = Sample.objects.get(sample_id="NEW-1")
    assert new.status_code == 302 and (sample.sample_type, sample.taken_at) == ("sputum", T0)
    twice = client.post(
        reverse("health:sample_new"),
        {
            "sample_id": "NEW-1",
            "sample_type": "sputum",
            "point": Site.objects.get(code="BCP-DIBOLI").pk,
            "taken_at": "2020-04-14T08:00",
        },
    )
    assert "Cet identifiant d’échantillon est déjà enregistré." in twice.content.decode()
