"""Demonstration data of protection and camp coordination (`hbmm demo`), after the mobility
demo (its MRRCs, IDP sites and stranded-migrant counts): deterministic and idempotent.

- 48 vulnerable migrants identified at the three MRRCs (Bamako, Gao, Mopti) from 20 March to
  27 May 2020, registered through `case_register` by a demonstration protection officer
  (`hbmm-demo-protection`, no password: it cannot log in); about one in four followed from a
  stranded-migrant group count; invented names, never shown outside the case.
- Referrals to four demonstration service providers (made 0 to 2 days after identification,
  for consenting cases only), accepted 1 to 5 days later by the providers' focal point
  (`hbmm-demo-provider`), a few rejected, most completed a week or two later.
- Food, non-food items, cash, medical care and shelter given; assisted voluntary returns for
  some of the cases that asked for one, whose cases are then closed.
- Weekly monitoring visits of the two IDP sites of Bamako from April, sent through the intake
  pipeline as the site monitoring form would (is_demo=True).
"""

import datetime as dt
import random
from decimal import Decimal

SEED = 2014
CASES = 48
START = dt.date(2020, 3, 20)
END = dt.date(2020, 5, 27)
OFFICER = "hbmm-demo-protection"
FOCAL = "hbmm-demo-provider"
TEAM = ("demo-crrm", "Équipe protection des CRRM (démo)")
CENTRES = ["MRRC-BAMAKO", "MRRC-BAMAKO", "MRRC-GAO", "MRRC-MOPTI"]
NATIONALITIES = ["GIN", "GIN", "CIV", "SEN", "BFA", "NER", "NGA", "CMR", "GMB"]
PROVIDERS = [  # code, name, services
    ("demo-csref", "Centre de santé de référence (démo)", ["health", "mhpss"]),
    ("demo-abri", "Abri et vivres (démo)", ["shelter", "food"]),
    ("demo-juridique", "Clinique juridique (démo)", ["legal", "documentation", "return"]),
    ("demo-enfance", "Protection de l’enfance et VBG (démo)", ["child_protection", "gbv"]),
]
FIRST_NAMES = ["Aminata", "Moussa", "Fatou", "Ibrahima", "Awa", "Mamadou", "Kadiatou", "Seydou"]
LAST_NAMES = ["Diallo", "Camara", "Traoré", "Sow", "Bah", "Konaté", "Ouédraogo", "Ndiaye"]
SITE_VISITS = {  # IDP site: (population, households) at the first visit
    "IDP-FALADIE": (1480, 296),
    "IDP-SENOU": (920, 190),
}


def _staff():
    from django.contrib.auth import get_user_model  # noqa: PLC0415  (models: after setup)
    from django.contrib.auth.models import Group  # noqa: PLC0415  (models: after setup)

    from hbmm.accounts.services import user_scope_set  # noqa: PLC0415  (models: after setup)
    from hbmm.places.models import AdminArea  # noqa: PLC0415  (models: after setup)

    users = []
    for username, role in ((OFFICER, "protection_officer"), (FOCAL, "service_focal_point")):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=role))
            user_scope_set(user=user, areas=[AdminArea.objects.get(pcode="MLI")])
        users.append(get_user_model().objects.get(pk=user.pk))  # fresh permission cache
    return users


def _directory(officer, focal):
    """The demonstration team and providers (reference data an administrator keeps)."""
    from hbmm.protection.models import (  # noqa: PLC0415  (models: after setup)
        ProtectionTeam,
        ServiceProvider,
    )

    team, _created = ProtectionTeam.objects.get_or_create(code=TEAM[0], defaults={"name": TEAM[1]})
    team.members.add(officer)
    providers = []
    for code, name, services in PROVIDERS:
        provider, _created = ServiceProvider.objects.get_or_create(
            code=code, defaults={"name": name, "service_types": services}
        )
        provider.focal_users.add(focal)
        providers.append(provider)
    return team, providers


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
        hours=rng.uniform(0, 9)
    )


def _profile(rng: random.Random) -> dict:
    age_group = rng.choice(["18-59"] * 6 + ["5-17", "5-17", "0-4", "60+"])
    sex = rng.choice(["male"] * 3 + ["female"] * 2)
    vulnerabilities = {"stranded"} if rng.random() < 0.6 else set()
    if age_group in ("0-4", "5-17") and rng.random() < 0.6:
        vulnerabilities.add("uasc")
    if age_group == "60+":
        vulnerabilities.add("elderly")
    if sex == "female" and age_group == "18-59" and rng.random() < 0.25:
        vulnerabilities.add("pregnant_lactating")
    if rng.random() < 0.3:
        vulnerabilities.add("medical_need")
    if rng.random() < 0.08:
        vulnerabilities.add("disability")
    if rng.random() < 0.06:
        vulnerabilities.add("trafficking")
    if sex == "female" and rng.random() < 0.12:
        vulnerabilities.add("gbv_survivor")
    needs = {"food", "shelter"} if rng.random() < 0.7 else {"food"}
    if vulnerabilities & {"medical_need", "pregnant_lactating", "elderly", "disability"}:
        needs.add("health")
    if "uasc" in vulnerabilities:
        needs.add("child_protection")
    if "gbv_survivor" in vulnerabilities:
        needs |= {"gbv", "mhpss"}
    if rng.random() < 0.35:
        needs.add("return")
    consent = rng.random() < 0.85
    return {
        "sex": sex,
        "age_group": age_group,
        "nationality": rng.choice(NATIONALITIES),
        "vulnerabilities": sorted(vulnerabilities),
        "needs": sorted(needs),
        "consent_services": consent,
        "consent_disclosure": consent,
        "consent_statistics": rng.random() < 0.85,
    }


def _refer(case, rng, officer, focal, providers, last_day):
    """Referrals for the case's needs (two at most, the first the most urgent), as the
    providers answered them by `last_day`."""
    from hbmm.protection import services  # noqa: PLC0415  (models: after setup)

    urgent = ["gbv", "child_protection", "health", "return", "shelter", "food", "mhpss"]
    needs = sorted(case.needs, key=lambda n: urgent.index(n) if n in urgent else len(urgent))
    made = []
    for need in needs[:2]:
        provider = next((p for p in providers if need in p.service_types), None)
        if provider is None:
            continue
        at = _moment(case.identified_on + dt.timedelta(days=rng.randint(0, 2)), rng)
        if at.date() > last_day:
            continue
        referral = services.referral_create(
            by=officer,
            case=case,
            provider=provider,
            service_type=need,
            shared=["profile", "needs"],
            at=at,
        )
        answered = at + dt.timedelta(days=rng.uniform(1, 5))
        if answered.date() > last_day:
            made.append(referral)
            continue
        if rng.random() < 0.1:
            services.referral_respond(
                by=focal,
                referral=referral,
                status="rejected",
                reason="Capacité d’accueil atteinte cette semaine.",
                at=answered,
            )
        else:
            services.referral_respond(by=focal, referral=referral, status="accepted", at=answered)
            done = answered + dt.timedelta(days=rng.uniform(3, 14))
            if done.date() <= last_day and rng.random() < 0.7:
                services.referral_respond(by=focal, referral=referral, status="done", at=done)
        made.append(referral)
    return made


def _cases(rng, officer, focal, team, providers, groups, stdout) -> None:
    from hbmm.places.models import Site  # noqa: PLC0415  (models: after setup)
    from hbmm.protection import services  # noqa: PLC0415  (models: after setup)

    sites = {s.code: s for s in Site.objects.filter(code__in=CENTRES)}
    days = (END - START).days
    returns = assisted = referred = 0
    for number in range(CASES):
        # More cases after the closure of the borders (19 March) took hold: a rising ramp.
        identified_on = START + dt.timedelta(days=int(days * (rng.random() ** 0.7)))
        profile = _profile(rng)
        group = rng.choice(groups) if groups and "stranded" in profile["vulnerabilities"] else None
        case = services.case_register(
            by=officer,
            site=sites[CENTRES[number % len(CENTRES)]],
            identified_on=identified_on,
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            team=team,
            stranded_group_id=group if group and rng.random() < 0.5 else None,
            **profile,
        )
        if case.consent_services and case.consent_disclosure:
            referred += len(_refer(case, rng, officer, focal, providers, END))
        if rng.random() < 0.7:
            given_on = identified_on + dt.timedelta(days=rng.randint(0, 3))
            if given_on <= END:
                kind = rng.choice(["food", "food", "nfi", "cash", "medical", "shelter"])
                value = Decimal(rng.choice([15000, 25000, 35000])) if kind == "cash" else None
                services.assistance_record(
                    by=officer, case=case, kind=kind, given_on=given_on, value=value
                )
                assisted += 1
        if "return" in case.needs and case.consent_services:
            departure = identified_on + dt.timedelta(days=rng.randint(18, 35))
            if departure <= END:
                services.voluntary_return_set(
                    by=officer,
                    case=case,
                    kind="avr",
                    destination_country=case.nationality,
                    travel_document="laissez-passer consulaire",
                    consular_contact_on=identified_on + dt.timedelta(days=3),
                    fit_to_travel_on=departure - dt.timedelta(days=2),
                    departure_on=departure,
                    route="Bamako – frontière (convoi OIM)",
                    arrived_on=departure + dt.timedelta(days=2),
                )
                case.refresh_from_db()
                if case.status == "open":
                    services.case_status_set(by=officer, case=case, status="active")
                services.case_status_set(
                    by=officer,
                    case=case,
                    status="closed",
                    closure_reason="returned",
                    on=departure,
                )
                returns += 1
    stdout.write(
        f"  protection demo: {CASES} cases, {referred} referrals, {assisted} assistance, "
        f"{returns} returns"
    )


def _site_visits(rng, officer) -> int:
    """Weekly visits of the IDP sites of Bamako, through the site monitoring form."""
    from hbmm.intake.models import Submission  # noqa: PLC0415  (models: after setup)
    from hbmm.intake.parsing import json_dumps  # noqa: PLC0415  (models: after setup)
    from hbmm.intake.process import submissions_process  # noqa: PLC0415  (as above)
    from hbmm.intake.receive import submission_receive  # noqa: PLC0415  (as above)

    received = []
    for code, (population, households) in SITE_VISITS.items():
        day, tents = dt.date(2020, 4, 6), 0
        while day <= END:
            population += rng.randint(-20, 60)
            households = max(households + rng.randint(-4, 12), 1)
            tents = min(tents + rng.choice([0, 0, 1]), 4)
            data = {
                "date": day.isoformat(),
                "site": code,
                "population": str(population),
                "households": str(households),
                "isolation_tents": str(tents),
                "isolation_capacity": str(tents * 5),
                "handwashing_points": str(4 + tents * 2),
                "latrines": str(10 + tents),
                "distancing": "not_started"
                if tents == 0
                else ("in_progress" if tents < 3 else "done"),
            }
            received.append(
                submission_receive(
                    channel="openrosa",
                    form_id="site_monitoring",
                    instance_id=f"uuid:demo-site-{code.lower()}-{day.isoformat()}",
                    payload=json_dumps(data),
                    payload_format=Submission.Format.JSON,
                    data=data,
                    submitter=officer,
                    is_demo=True,
                ).submission
            )
            day += dt.timedelta(days=7)
    return submissions_process(received)["accepted"]


def load(stdout) -> None:
    from django.db import transaction  # noqa: PLC0415  (beside the model imports: after setup)

    from hbmm.accounts.scope import EVERYTHING  # noqa: PLC0415  (models: after setup)
    from hbmm.mobility.selectors import stranded_records  # noqa: PLC0415  (as above)
    from hbmm.protection.models import Case  # noqa: PLC0415  (models: after setup)

    if Case.objects.filter(identified_by__username=OFFICER).exists():
        stdout.write("  protection demo: already loaded")
        return
    rng = random.Random(SEED)
    officer, focal = _staff()
    groups = list(
        stranded_records(scope=EVERYTHING, start=START, end=END)
        .order_by("date", "pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        team, providers = _directory(officer, focal)
        _cases(rng, officer, focal, team, providers, groups, stdout)
    visits = _site_visits(rng, officer)
    stdout.write(f"  protection demo: {visits} visits of temporary sites")
