"""Demonstration data for community feedback: 64 entries from 2 April to 15 May 2020 sent
through the intake pipeline (is_demo=True) as focal points and hotline operators would, then
coded, answered, referred, closed and (some) marked publishable with plausible delays; two
rumours are linked to the demo community signals that are rumours. Deterministic, idempotent.
The texts are invented and name no one."""

import datetime as dt
import random

from django.db import transaction

from hbmm.accounts.scope import EVERYTHING
from hbmm.feedback import services
from hbmm.feedback.models import Feedback
from hbmm.feedback.xlsforms import FORM_ID
from hbmm.health.ebs.selectors import signals_for
from hbmm.intake.models import Submission
from hbmm.intake.parsing import json_dumps
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive

SEED = 2020
ENTRIES = 64
PLACES = [  # (site code or None, P-code)
    ("BCP-DIBOLI", "ML0103"),
    (None, "ML0103"),
    ("BCP-KOUREMALE", "ML0203"),
    ("BCP-ZEGOUA", "ML0302"),
    (None, "ML0901"),
    (None, "ML0901"),
    ("FMP-SEVARE", "ML0506"),
    (None, "ML0701"),
]
CHANNELS = ["hotline"] * 4 + ["focal_point"] * 3 + ["session"] * 2 + ["social_media", "other"]
SOURCES = ["community_member"] * 3 + ["migrant"] * 2 + ["leader", "transporter", "unknown"]
# (type, topic, what was said, the answer given)
SAYINGS = [
    (
        "rumour",
        "stigma",
        "On dit que les migrants refoulés à la frontière ramènent la maladie dans le quartier.",
        "La maladie touche tout le monde\u202f; les personnes de retour sont suivies par les "
        "agents de santé, elles ne sont pas plus dangereuses que les autres.",
    ),
    (
        "rumour",
        "stigma",
        "Les gens ne veulent plus louer aux voyageurs venus de Guinée.",
        "Refuser un logement n'empêche pas la maladie\u202f; les gestes barrières protègent.",
    ),
    (
        "rumour",
        "border_closure",
        "Il paraît que la frontière rouvre lundi pour les camions et les cars.",
        "Les frontières terrestres restent fermées aux voyageurs\u202f; seul le fret passe.",
    ),
    (
        "rumour",
        "prevention",
        "Boire de l'eau chaude avec du citron tue le virus.",
        "Aucune boisson ne tue le virus\u202f; lavez-vous les mains et gardez vos distances.",
    ),
    (
        "rumour",
        "symptoms",
        "La chaleur de Bamako empêche le virus de se transmettre.",
        "Le virus se transmet aussi par temps chaud.",
    ),
    (
        "question",
        "symptoms",
        "Quels sont les signes de la maladie chez un enfant\u202f?",
        "Fièvre, toux, difficulté à respirer\u202f; appelez le numéro vert.",
    ),
    (
        "question",
        "services",
        "Où faire le test si on revient de Côte d'Ivoire\u202f?",
        "Au centre de santé de référence du cercle\u202f; appelez d'abord le numéro vert.",
    ),
    (
        "question",
        "border_closure",
        "Comment rentrer chez soi quand la frontière est fermée\u202f?",
        "Présentez-vous au poste frontière\u202f: les agents vous orientent vers le centre de transit.",
    ),
    (
        "complaint",
        "services",
        "Pas de savon au dispositif de lavage des mains de la gare routière.",
        "",
    ),
    (
        "suggestion",
        "prevention",
        "Faire passer les messages à la radio en bambara et en peul.",
        "Merci, la suggestion est transmise au comité de communication.",
    ),
    ("praise", "services", "Merci aux agents du poste de santé pour l'accueil.", ""),
    (
        "rumour",
        "vaccination",
        "Un vaccin serait testé en secret sur les enfants des écoles.",
        "Aucun vaccin n'est testé au Mali\u202f; aucun essai n'a lieu dans les écoles.",
    ),
]
KIND_WEIGHTS = [4, 3, 4, 2, 2, 2, 2, 2, 2, 1, 1, 2]


def _reports(rng: random.Random) -> list[dict]:
    rows = []
    start = dt.datetime(2020, 4, 2, 8, tzinfo=dt.UTC)
    for number in range(ENTRIES):
        site, pcode = rng.choice(PLACES)
        index = rng.choices(range(len(SAYINGS)), weights=KIND_WEIGHTS)[0]
        kind, topic, said, _answer = SAYINGS[index]
        received = start + dt.timedelta(hours=number * 16 + rng.randint(0, 12))
        channel = rng.choice(CHANNELS)
        data = {
            "received_at": received.isoformat(),
            "channel": channel,
            "source_type": rng.choice(SOURCES),
            "text": said,
            "demo_saying": str(index),
        }
        if site and rng.random() < 0.7:
            data["site"] = site
        else:
            data["pcode"] = pcode
        if channel == "hotline" and rng.random() < 0.5:  # coded by the operator on the call
            data["kind"], data["topic"] = kind, topic
        rows.append(data)
    return rows


def _workflow(rng: random.Random) -> None:
    hours = dt.timedelta(hours=1)
    rumour_signals = list(signals_for(EVERYTHING).filter(kind="rumour").order_by("reported_at")[:2])
    entries = list(
        Feedback.objects.filter(submission__is_demo=True, status="open")
        .select_related("submission")
        .order_by("received_at", "pk")
    )
    for index, entry in enumerate(entries):
        data = entry.submission.data if entry.submission is not None else {}
        saying = int(data.get("demo_saying", 0))
        kind, topic, _said, answer = SAYINGS[saying]
        if index >= len(entries) - 4:
            break  # the last ones are not coded yet
        signal_id = None
        if kind == "rumour" and rumour_signals and rng.random() < 0.15:
            signal_id = rumour_signals.pop(0).pk
        sensitivity = "sensitive" if topic == "stigma" else "normal"
        coded_at = entry.received_at + rng.choice([1, 2, 4, 12, 30]) * hours
        services.feedback_code(
            feedback=entry,
            by=None,
            kind=kind,
            topic=topic,
            sensitivity=sensitivity,
            signal_id=signal_id,
            at=coded_at,
        )
        if index >= len(entries) - 10:
            continue  # coded, waiting for an answer
        at = coded_at + rng.choice([1, 3, 8, 20, 40, 60, 90, 120]) * hours
        if kind == "complaint":
            services.feedback_refer(
                feedback=entry, by=None, to="Direction régionale de la santé", at=at
            )
            if rng.random() < 0.5:
                continue
            at += rng.choice([24, 48]) * hours
            answer = "Le dispositif a été réapprovisionné en savon."
        if answer:
            services.feedback_answer(
                feedback=entry, by=None, answer=answer, responder="Numéro vert 36 66", at=at
            )
        if rng.random() < 0.6:
            services.feedback_close(feedback=entry, by=None, at=at + rng.uniform(1, 48) * hours)
        if sensitivity == "normal" and rng.random() < 0.5:
            services.feedback_publishable_set(feedback=entry, by=None, publishable=True)


def load(stdout) -> None:
    if Submission.objects.filter(form_id=FORM_ID, is_demo=True).exists():
        stdout.write("  feedback demo: already loaded")
        return
    rng = random.Random(SEED)
    received = [
        submission_receive(
            channel="openrosa",
            form_id=FORM_ID,
            instance_id=f"uuid:demo-feedback-{number:04d}",
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
    stdout.write(f"  feedback demo: {len(received)} entries ({counts['accepted']} accepted)")
