"""Demonstration data for community event-based surveillance: eight focal points and ~40
signals in April-May 2020 sent through the intake pipeline (is_demo=True), then triaged,
merged, verified and turned into events with plausible delays. Deterministic, idempotent."""

import datetime as dt
import random

from django.db import transaction

from hbmm.health.ebs import services
from hbmm.health.ebs.early_response import bottleneck_record, response_action_record
from hbmm.health.ebs.models import Bottleneck, ResponseAction, Signal
from hbmm.health.ebs.performance import missed_without_review
from hbmm.health.ebs.services import focal_point_register
from hbmm.intake.models import Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.places.models import AdminArea, Site

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


def _emergence(extra: random.Random, signal) -> tuple[dt.date, str]:
    """A date of emergence a verification would establish: days before the detection."""
    first_known = (signal.detected_at or signal.reported_at).date()
    kind = "first_sign" if signal.kind in ("animal_deaths", "rumour") else "first_case"
    return first_known - dt.timedelta(days=extra.choice([1, 2, 4, 6, 9, 12])), kind


def _respond(extra: random.Random, event, complete_at: dt.datetime) -> None:
    """The early-response checklist, its last action done at `complete_at`; a low-risk event
    needs no coordination mechanism nor community measures."""
    items = list(ResponseAction.Item.values)
    skipped = {"coordination", "countermeasures"} if event.risk == "low" else set()
    window = (complete_at - event.signal.reported_at).total_seconds()
    for number, item in enumerate(items):
        if item in skipped:
            response_action_record(
                event=event, item=item, state="not_applicable", note="Risque faible", by=None
            )
            continue
        done = complete_at
        if number < len(items) - 1:
            done -= dt.timedelta(seconds=extra.uniform(0, window))
        response_action_record(event=event, item=item, state="done", done_at=done, by=None)


def _review(extra: random.Random, event, at: dt.datetime) -> None:
    """The bottleneck review of each target the event missed, so that it can be closed."""
    causes = {
        "community": ("Décès d'abord attribués au paludisme", "Sensibiliser les chefs de village"),
        "reporting": ("Pas de réseau téléphonique au village", "Doter le relais d'une radio"),
        "laboratory": ("Échantillons acheminés en 5 jours", "Transport hebdomadaire vers Bamako"),
        "access": ("Route coupée par l'insécurité", "Escorte ou accès par la Minusma"),
        "workforce": ("Infirmier seul au poste", "Former un second agent"),
    }
    for target in missed_without_review(event, now=at):
        category = extra.choice(sorted(causes))
        cause, fix = causes[category]
        bottleneck_record(
            event=event,
            target=target,
            category=Bottleneck.Category(category),
            cause=cause,
            fix=fix,
            by=None,
            now=at,
        )


def _workflow(rng: random.Random) -> None:
    # The 7-1-7 review's own draws: the signals' sequence (and the sitrep's figures) unchanged.
    extra = random.Random(SEED + 1)

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
        emerged_on, emergence_kind = _emergence(extra, signal) if is_true else (None, "")
        services.signal_verify(
            signal=signal,
            by=None,
            is_true=is_true,
            verifier_name="Équipe d'intervention rapide du district",
            at=at,
            emerged_on=emerged_on,
            emergence_kind=emergence_kind,
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
            _respond(extra, event, at)
            if rng.random() < 0.7:
                closed = at + rng.uniform(24, 240) * hours
                _review(extra, event, closed)
                services.event_close(event=event, by=None, at=closed)


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
