"""Demonstration data for traveller screening: referral hospitals and laboratories, three
staff to receive alerts, and ~300 screenings at seven points of entry in April-May 2020 sent
through the intake pipeline (is_demo=True); the suspects go through the workflow with
plausible delays. Deterministic and idempotent."""

import datetime as dt
import random

from django.db import transaction

from hbmm.health.labs import services as lab_services
from hbmm.health.labs.demo import mobile_lab_code, national_lab_rows
from hbmm.intake.models import Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

FORM_ID = "screening"
SEED = 2020_04
LAB_SEED = 2020_05  # the samples' course: its own draws, so the screenings' stay as they were
START, DAYS = dt.date(2020, 4, 1), 61
# Point -> (country across the border, travellers screened per day on average)
POINTS = {
    "BCP-KOUREMALE": ("GIN", 1.4),
    "BCP-DIBOLI": ("SEN", 1.1),
    "BCP-GOGUI": ("MRT", 0.5),
    "BCP-HEREMAKONO": ("BFA", 0.6),
    "BCP-ZEGOUA": ("CIV", 0.8),
    "BCP-BENENA": ("BFA", 0.4),
    "FMP-SEVARE": ("MLI", 0.5),
}
FACILITIES = [
    (
        "HF-KAYES",
        "Hôpital Fousseyni Daou de Kayes",
        "Fousseyni Daou hospital, Kayes",
        "health_facility",
        "ML0103",
    ),
    ("HF-SIKASSO", "Hôpital de Sikasso", "Sikasso hospital", "health_facility", "ML0302"),
    ("HF-PTG", "CHU du Point G", "Point G university hospital", "health_facility", "ML0901"),
    (
        "HF-MOPTI",
        "Hôpital Sominé Dolo de Mopti",
        "Somine Dolo hospital, Mopti",
        "health_facility",
        "ML0506",
    ),
    *national_lab_rows(),
]
REFERRAL = {
    "ML01": "HF-KAYES",
    "ML02": "HF-PTG",
    "ML03": "HF-SIKASSO",
    "ML04": "HF-MOPTI",
    "ML05": "HF-MOPTI",
}
STAFF = [
    ("demo.poe.supervisor.kayes", "poe_supervisor", "ML01", "fr"),
    ("demo.poe.supervisor.sikasso", "poe_supervisor", "ML03", "fr"),
    ("demo.poe.supervisor.koulikoro", "poe_supervisor", "ML02", "fr"),
    ("demo.surveillance.kati", "surveillance_officer", "ML0203", "en"),
]
FIRST = [
    "Moussa",
    "Awa",
    "Mamadou",
    "Fatoumata",
    "Ibrahim",
    "Aminata",
    "Oumar",
    "Kadiatou",
    "Seydou",
    "Mariam",
    "Boubacar",
    "Rokia",
    "Souleymane",
    "Hawa",
    "Adama",
    "Assétou",
]
LAST = [
    "Traoré",
    "Keita",
    "Diarra",
    "Coulibaly",
    "Touré",
    "Sidibé",
    "Diallo",
    "Sangaré",
    "Camara",
    "Konaté",
    "Bah",
    "Sow",
    "Ouédraogo",
    "Kouassi",
    "Ba",
    "Cissé",
]
DESTINATIONS = ["ML0901", "ML0103", "ML0203", "ML0302", "ML0405", "ML0506", "ML0201"]
MILD = ["headache", "fatigue", "muscle_pain", "diarrhoea", "runny_nose", "sore_throat"]


def _reference_sites(stdout) -> None:
    from hbmm.places.models import Site
    from hbmm.places.services import site_registry_import

    missing = [row for row in FACILITIES if not Site.objects.filter(code=row[0]).exists()]
    if missing:
        site_registry_import(
            rows=[
                (n, {"code": c, "name_fr": fr, "name_en": en, "kinds": k, "pcode": p})
                for n, (c, fr, en, k, p) in enumerate(missing, start=1)
            ]
        )
        stdout.write(f"  screening demo: {len(missing)} referral facilities and laboratories")


def _staff() -> None:
    from django.contrib.auth.models import Group

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.places.models import AdminArea

    for username, role, pcode, language in STAFF:
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username, email=f"{username}@example.org", language=language)
        user.set_unusable_password()  # an administrator gives a password to try the role
        user.save()
        user.groups.add(Group.objects.get(name=role))
        user_scope_set(user=user, areas=[AdminArea.objects.get(pcode=pcode)])


def _traveller(rng: random.Random, point: str, neighbour: str, moment: dt.datetime) -> dict:
    sex = rng.choice(["male"] * 13 + ["female"] * 6 + ["unknown"])
    data = {
        "point": point,
        "screened_at": moment.isoformat(),
        "agent_name": f"Agent {point.split('-')[1].title()}",
        "sex": sex,
        "age": str(
            rng.choice([rng.randint(1, 14), *[rng.randint(15, 49)] * 6, rng.randint(50, 80)])
        ),
        "nationality": rng.choice([neighbour, "MLI", "MLI", neighbour, "NER", "NGA"]),
        "conveyance": rng.choice(["bus", "bus", "truck", "car", "motorbike", "on_foot"]),
        "origin_country": neighbour,
        "destination": rng.choice(DESTINATIONS),
        "contact_sick": rng.choice(["no"] * 12 + ["yes", ""]),
        "temperature": f"{rng.gauss(36.7, 0.35):.1f}",
    }
    if rng.random() < 0.7:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        data["traveller_name"] = f"{first} {last}"
        data["phone"] = (
            f"+223 {rng.randint(60, 79)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        )
        data["document_number"] = f"{neighbour[:2]}{rng.randint(100000, 999999)}"
    if data["conveyance"] in ("bus", "truck", "car"):
        data["company_plate"] = f"AB-{rng.randint(1000, 9999)}-MD"
    if rng.random() < 0.3:
        data["countries_visited"] = " ".join(
            sorted({neighbour, rng.choice(["CIV", "SEN", "GIN", "BFA"])})
        )
    roll = rng.random()
    if roll < 0.07:  # fever with a respiratory sign: suspect by definition A
        data["temperature"] = f"{rng.uniform(38.0, 39.6):.1f}"
        data["symptoms"] = " ".join(
            sorted({"cough", rng.choice(["cough", "shortness_of_breath", "fatigue"])})
        )
    elif roll < 0.10:  # contact and a respiratory symptom: definition B
        data["contact_sick"] = "yes"
        data["symptoms"] = rng.choice(["runny_nose", "sore_throat", "cough"])
    elif roll < 0.22:  # mild symptoms, not a suspect
        data["symptoms"] = rng.choice(MILD)
    return data


def _screenings(rng: random.Random) -> list[dict]:
    rows = []
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        for point, (neighbour, rate) in POINTS.items():
            count = sum(1 for _ in range(4) if rng.random() < rate / 4) + (rng.random() < rate / 4)
            for _n in range(count):
                moment = dt.datetime(
                    day.year,
                    day.month,
                    day.day,
                    rng.randint(6, 18),
                    rng.randint(0, 59),
                    tzinfo=dt.UTC,
                )
                rows.append(_traveller(rng, point, neighbour, moment))
    # Two overrides, with their reasons, as agents do.
    rows[17].update(decision="suspect", override_reason="Toux sévère, vient d'une zone de cas")
    rows[17]["symptoms"] = "cough"
    rows[40].update(
        temperature="38.3",
        symptoms="cough",
        decision="not_suspect",
        override_reason="Température reprise après repos : 37,2 °C",
    )
    return rows


def _sample_course(sample, rng: random.Random, *, until: dt.datetime | None) -> None:
    """Ship and receive a sample (before `until`, its result's time, when it has one)."""
    hours = dt.timedelta(hours=1)
    if sample.lab.code.startswith("LAB-MOB-"):  # tested where it was taken: no shipment
        lab_services.sample_receive(
            sample=sample, by=None, at=sample.taken_at + rng.uniform(0.2, 1) * hours
        )
        return
    at = sample.taken_at + rng.uniform(0.5, 8) * hours
    lab_services.sample_ship(
        sample=sample,
        by=None,
        lab=sample.lab,
        transport=rng.choice(["courier", "service_vehicle", "service_vehicle", "air"]),
        at=at,
    )
    at += rng.uniform(1, 14) * hours
    if until is None or at < until:
        lab_services.sample_receive(sample=sample, by=None, at=at)


def _workflow(rng: random.Random) -> int:
    from hbmm.health.screening import workflow
    from hbmm.health.screening.models import Screening
    from hbmm.places.models import Site

    hours = dt.timedelta(hours=1)
    labs = [Site.objects.get(code="LAB-INRSP"), Site.objects.get(code="LAB-CICM")]
    suspects = Screening.objects.filter(
        is_suspect=True, submission__is_demo=True, isolated_at__isnull=True
    ).select_related("point", "point__area")
    done = 0
    lab_rng = random.Random(LAB_SEED)
    for s in suspects.order_by("screened_at", "pk"):
        at = s.screened_at + rng.uniform(0.1, 0.6) * hours
        workflow.screening_isolate(screening=s, by=None, at=at)
        at += rng.choice([0.3, 0.5, 1, 1.5, 2, 3, 6]) * hours
        workflow.screening_notify(screening=s, by=None, at=at, send_email=False)
        if s.screened_at.date() > dt.date(2020, 5, 29):
            continue  # the last ones are still waiting for transport
        region = s.point.area.path.split("/")[1]
        facility = Site.objects.get(code=REFERRAL.get(region, "HF-PTG"))
        at += rng.uniform(1, 12) * hours
        workflow.screening_refer(
            screening=s,
            by=None,
            facility=facility,
            transport=rng.choice(["ambulance", "ambulance", "service_vehicle"]),
            at=at,
        )
        at += rng.uniform(1, 20) * hours
        lab = rng.choice(labs)  # drawn even when a mobile lab tests it: the same draws follow
        mobile = mobile_lab_code(s.point.code, at.date()) or ""
        lab = Site.objects.filter(code=mobile).first() or lab  # when the labs demo made it
        workflow.screening_sample(screening=s, by=None, lab=lab, at=at)
        sample = s.samples.get()
        if s.screened_at.date() > dt.date(2020, 5, 26):
            _sample_course(sample, lab_rng, until=None)
            continue  # results pending
        at += rng.uniform(24, 72) * hours
        _sample_course(sample, lab_rng, until=at)
        result = rng.choice(["negative"] * 5 + ["positive", "positive", "inconclusive"])
        workflow.screening_result(screening=s, by=None, result=result, at=at)
        sample.refresh_from_db()
        lab_services.sample_communicate(
            sample=sample, by=None, at=at + lab_rng.uniform(0.5, 20) * hours
        )
        at += rng.uniform(2, 48) * hours
        outcome = "hospitalised" if result == "positive" else "released"
        workflow.screening_close(screening=s, by=None, outcome=outcome, at=at)
        done += 1
    return done


def load(stdout) -> None:
    if Submission.objects.filter(form_id=FORM_ID, is_demo=True).exists():
        stdout.write("  screening demo: already loaded")
        return
    rng = random.Random(SEED)
    with transaction.atomic():
        _reference_sites(stdout)
        _staff()
    received = []
    for number, data in enumerate(_screenings(rng), start=1):
        received.append(
            submission_receive(
                channel="openrosa",
                form_id=FORM_ID,
                instance_id=f"uuid:demo-screening-{number:05d}",
                payload=json_dumps(data),
                payload_format=Submission.Format.JSON,
                data=data,
                submitter_name=data["agent_name"],
                is_demo=True,
            ).submission
        )
    counts = submissions_process(received)
    with transaction.atomic():
        closed = _workflow(rng)
    stdout.write(
        f"  screening demo: {len(received)} screenings ({counts['accepted']} accepted, "
        f"{counts['quarantined']} quarantined), {closed} suspect cases closed"
    )
