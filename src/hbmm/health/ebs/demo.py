"""Demonstration data for community event-based surveillance: eight focal points and ~40
signals in April-May 2020 sent through the intake pipeline (is_demo=True), then triaged,
merged, verified and turned into events with plausible delays. Deterministic, idempotent."""

import datetime as dt
import random

from django.db import transaction

from hbmm.intake.models import Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

FORM_ID = "signal"
SEED = 717
FOCAL_POINTS = [
    ("CFP-KYS-01", "Relais Diboli", "ML0103", "BCP-DIBOLI"),
    ("CFP-KYS-02", "Relais Kayes ville", "ML0103", None),
    ("CFP-KTI-01", "Relais Kourémalé", "ML0203", "BCP-KOUREMALE"),
    ("CFP-KTI-02", "Relais Narena", "ML0203", None),
    ("CFP-SIK-01", "Relais Zégoua", "ML0302", "BCP-ZEGOUA"),
    ("CFP-SIK-02", "Relais Hérémakono", "ML0305", "BCP-HEREMAKONO"),
    ("CFP-MPT-01", "Relais Sévaré", "ML0506", "FMP-SEVARE"),
    ("CFP-NIO-01", "Relais Gogui", "ML0106", "BCP-GOGUI"),
]
KINDS = (
    ["sick_traveller"] * 4
    + ["fever_cough_cluster"] * 3
    + ["unexplained_deaths", "animal_deaths", "rumour", "rumour", "other"]
)
DESCRIPTIONS = {
    "sick_traveller": "Voyageur fiévreux arrivé par le car de la veille.",
    "fever_cough_cluster": "Plusieurs personnes avec fièvre et toux dans une même concession.",
    "unexplained_deaths": "Deux décès inexpliqués en une semaine dans le quartier.",
    "animal_deaths": "Mortalité de volailles signalée au marché.",
    "rumour": "Rumeur de cas de coronavirus dans un hôtel.",
    "other": "Afflux de voyageurs refoulés à la frontière, sans abri.",
}


def _focal_points():
    from hbmm.health.ebs.services import focal_point_register
    from hbmm.places.models import AdminArea, Site

    return [
        focal_point_register(
            key=key,
            name=name,
            area=AdminArea.objects.get(pcode=pcode),
            site=Site.objects.get(code=site) if site else None,
        )
        for key, name, pcode, site in FOCAL_POINTS
    ]


def _reports(rng: random.Random) -> list[dict]:
    rows = []
    start = dt.datetime(2020, 4, 2, 8, tzinfo=dt.UTC)
    for number in range(40):
        key, _name, pcode, site = rng.choice(FOCAL_POINTS)
        reported = start + dt.timedelta(hours=number * 35 + rng.randint(0, 20))
        kind = rng.choice(KINDS)
        data = {
            "reporter": key,
            "reported_at": reported.isoformat(),
            "kind": kind,
            "description": DESCRIPTIONS[kind],
            "people_affected": str(rng.choice([1, 1, 2, 3, 5, 8])),
        }
        if rng.random() < 0.8:
            data["detected_at"] = (
                reported - dt.timedelta(hours=rng.choice([2, 5, 10, 20, 30, 60]))
            ).isoformat()
        if site and rng.random() < 0.6:
            data["site"] = site
        else:
            data["pcode"] = pcode
        rows.append(data)
    return rows


def _workflow(rng: random.Random) -> None:
    from hbmm.health.ebs import services
    from hbmm.health.ebs.models import Signal

    hours = dt.timedelta(hours=1)
    signals = list(
        Signal.objects.filter(submission__is_demo=True, status="new").order_by("reported_at")
    )
    last_by_area: dict[int, Signal] = {}
    for index, signal in enumerate(signals):
        if index >= len(signals) - 3:
            break  # the last reports are still waiting for triage
        at = signal.reported_at + rng.uniform(0.5, 6) * hours
        previous = last_by_area.get(signal.area_id)
        if (
            previous
            and previous.kind == signal.kind
            and (signal.reported_at - previous.reported_at).days < 3
        ):
            services.signal_merge(
                signal=signal, into=previous, by=None, note="Même événement", at=at
            )
            continue
        last_by_area[signal.area_id] = signal
        if signal.kind == "rumour" and rng.random() < 0.6:
            services.signal_triage(
                signal=signal,
                by=None,
                decision="discard",
                note="Rumeur non fondée après appel au relais",
                at=at,
            )
            continue
        services.signal_triage(signal=signal, by=None, decision="verify", at=at)
        if index >= len(signals) - 6:
            continue  # verification under way
        at += rng.choice([2, 6, 10, 18, 30, 50]) * hours
        is_true = rng.random() < 0.55
        services.signal_verify(
            signal=signal,
            by=None,
            is_true=is_true,
            verifier_name="Équipe d'intervention rapide du district",
            at=at,
        )
        if not is_true:
            continue
        at += rng.uniform(1, 8) * hours
        event = services.event_open(
            signal=signal,
            by=None,
            risk=rng.choice(["low", "moderate", "moderate", "high", "very_high"]),
            responsible="Médecin-chef du district",
            actions="Investigation, recherche des contacts, sensibilisation",
            at=at,
        )
        if rng.random() < 0.85:
            at += rng.choice([30, 60, 100, 150, 200]) * hours
            services.event_update(event=event, by=None, response_at=at)
            if rng.random() < 0.7:
                services.event_close(event=event, by=None, at=at + rng.uniform(24, 240) * hours)


def load(stdout) -> None:
    if Submission.objects.filter(form_id=FORM_ID, is_demo=True).exists():
        stdout.write("  signals demo: already loaded")
        return
    rng = random.Random(SEED)
    with transaction.atomic():
        _focal_points()
    received = [
        submission_receive(
            channel="openrosa",
            form_id=FORM_ID,
            instance_id=f"uuid:demo-signal-{number:04d}",
            payload=json_dumps(data),
            payload_format=Submission.Format.JSON,
            data=data,
            is_demo=True,
        ).submission
        for number, data in enumerate(_reports(rng), start=1)
    ]
    counts = submissions_process(received)
    with transaction.atomic():
        _workflow(rng)
    stdout.write(f"  signals demo: {len(received)} signals ({counts['accepted']} accepted)")
