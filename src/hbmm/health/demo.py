"""Demonstration data of the health app (`hbmm demo`): points of entry, their weekly capacity
assessments and their operational status in 2020. Deterministic, idempotent, and loaded through
the real intake pipeline (file imports flagged `is_demo`).

- The 35 points of the plan's first rapid assessment (30 March - 1 April 2020): 13 border
  crossing points (the 7 shipped in places/data/sites.csv and 6 created here), 6 internal
  transit points (the 2 shipped flow monitoring points that are transit points, 4 created
  here) and 16 sanitary cordons. The places are real Malian towns and border posts, with their
  cercle's P-code; coordinates of the created sites are approximate town coordinates.
- Round 1 answers are drawn (seeded) with exact counts so that HBMM's figures are the plan's:
  6 of 15 border and transit points without a sanitary surveillance system (40 %), 9 of 13
  without an awareness system for travellers (69 %), 8 of 14 sanitary cordons without a
  community awareness mechanism (57 %), 17 of 33 points without an isolation space (52 %).
  Some items are "not assessed" at some points; they are left out of those denominators.
- Weekly rounds follow until the end of May 2020 and improve gradually; not every point is
  reached every week.
- Status history: business as usual in January 2020, COVID-19 screening at the border from
  March, the closure of Mali's land borders to passengers in March 2020 (goods and humanitarian
  traffic still crossing), sanitary cordons from April, quarantine of returnees at some posts.
"""

import csv
import datetime as dt
import io
import random

from hbmm.health.poe.models import CAPACITY_ITEM_FIELDS

SITES_FILE = "demo-poe-sites-2020"
CAPACITY_FILE = "demo-poe-capacity-2020.csv"
STATUS_FILE = "demo-poe-status-2020.csv"

# code, French name, English name, kind, cercle P-code, latitude, longitude, neighbour
NEW_SITES = [
    ("BCP-LABBEZANGA", "Labbézanga", "Labbezanga", "bcp", "ML0701", 14.95, 0.69, "NER"),
    ("BCP-KOURY", "Koury", "Koury", "bcp", "ML0307", 12.17, -4.80, "BFA"),
    ("BCP-NARENA", "Naréna", "Narena", "bcp", "ML0203", 11.71, -8.63, "GIN"),
    ("BCP-KORO", "Koro", "Koro", "bcp", "ML0505", 14.07, -3.08, "BFA"),
    ("BCP-NARA", "Nara", "Nara", "bcp", "ML0207", 15.17, -7.28, "MRT"),
    (
        "BCP-ANDERAMBOUKANE",
        "Andéramboukane",
        "Anderamboukane",
        "bcp",
        "ML1002",
        15.43,
        3.03,
        "NER",
    ),
    (
        "ITP-KAYES",
        "Kayes (gare routière)",
        "Kayes (bus station)",
        "itp",
        "ML0103",
        14.45,
        -11.44,
        "",
    ),
    (
        "ITP-SEGOU",
        "Ségou (gare routière)",
        "Segou (bus station)",
        "itp",
        "ML0406",
        13.43,
        -6.26,
        "",
    ),
    (
        "ITP-SIKASSO",
        "Sikasso (gare routière)",
        "Sikasso (bus station)",
        "itp",
        "ML0305",
        11.32,
        -5.67,
        "",
    ),
    ("ITP-GAO", "Gao (gare routière)", "Gao (bus station)", "itp", "ML0703", 16.27, -0.04, ""),
    ("CORDON-KATI", "Kati", "Kati", "cordon", "ML0204", 12.74, -8.07, ""),
    ("CORDON-KOULIKORO", "Koulikoro", "Koulikoro", "cordon", "ML0206", 12.86, -7.56, ""),
    ("CORDON-FANA", "Fana", "Fana", "cordon", "ML0202", 12.78, -6.95, ""),
    ("CORDON-BOUGOUNI", "Bougouni", "Bougouni", "cordon", "ML0301", 11.42, -7.48, ""),
    ("CORDON-KOUTIALA", "Koutiala", "Koutiala", "cordon", "ML0304", 12.39, -5.46, ""),
    ("CORDON-SAN", "San", "San", "cordon", "ML0405", 13.30, -4.90, ""),
    ("CORDON-BLA", "Bla", "Bla", "cordon", "ML0402", 12.95, -5.76, ""),
    ("CORDON-NIONO", "Niono", "Niono", "cordon", "ML0404", 14.25, -5.99, ""),
    ("CORDON-KITA", "Kita", "Kita", "cordon", "ML0105", 13.03, -9.49, ""),
    ("CORDON-BAFOULABE", "Bafoulabé", "Bafoulabe", "cordon", "ML0101", 13.81, -10.83, ""),
    ("CORDON-DOUENTZA", "Douentza", "Douentza", "cordon", "ML0504", 15.00, -2.95, ""),
    ("CORDON-BANDIAGARA", "Bandiagara", "Bandiagara", "cordon", "ML0501", 14.35, -3.61, ""),
    ("CORDON-DJENNE", "Djenné", "Djenne", "cordon", "ML0503", 13.91, -4.55, ""),
    ("CORDON-TOMBOUCTOU", "Tombouctou", "Timbuktu", "cordon", "ML0605", 16.77, -3.01, ""),
    ("CORDON-ANSONGO", "Ansongo", "Ansongo", "cordon", "ML0701", 15.66, 0.50, ""),
    ("CORDON-BOUREM", "Bourem", "Bourem", "cordon", "ML0702", 16.95, -0.35, ""),
]
SHIPPED_BCP = [
    "BCP-KOUREMALE",
    "BCP-ZEGOUA",
    "BCP-SONA",
    "BCP-GOGUI",
    "BCP-DIBOLI",
    "BCP-HEREMAKONO",
    "BCP-BENENA",
]
SHIPPED_ITP = ["FMP-BAMAKO", "FMP-SEVARE"]

BCP = SHIPPED_BCP + [s[0] for s in NEW_SITES if s[3] == "bcp"]
ITP = SHIPPED_ITP + [s[0] for s in NEW_SITES if s[3] == "itp"]
CORDON = [s[0] for s in NEW_SITES if s[3] == "cordon"]
POINT_TYPE = {
    **dict.fromkeys(BCP, "bcp"),
    **dict.fromkeys(ITP, "itp"),
    **dict.fromkeys(CORDON, "cordon"),
}

ROUND_1_DAYS = [dt.date(2020, 3, 30), dt.date(2020, 3, 31), dt.date(2020, 4, 1)]
# Exact answer counts of round 1 for the plan's four figures: (item, points, no, yes, not assessed)
ROUND_1_EXACT = [
    ("surveillance_system", BCP + ITP, 6, 9, 4),
    ("traveller_awareness", BCP + ITP, 9, 4, 6),
    ("community_awareness", CORDON, 8, 6, 2),
    ("isolation_space", BCP + ITP + CORDON, 17, 16, 2),
]
# Chance of "yes" in round 1 for the other items (and for items outside the exact groups).
YES_CHANCE = {
    "surveillance_system": 0.6,
    "traveller_awareness": 0.3,
    "community_awareness": 0.35,
    "isolation_space": 0.45,
    "handwashing": 0.55,
    "screening_equipment": 0.4,
    "ppe_stock": 0.25,
    "trained_staff": 0.35,
    "referral_pathway": 0.6,
    "data_tool": 0.3,
}
NOT_ASSESSED_CHANCE = 0.08
WEEKLY_ROUNDS = 8  # weeks after the first assessment (to the end of May 2020)


def sites_rows() -> list[tuple[int, dict]]:
    return [
        (
            number,
            {
                "code": code,
                "name_fr": fr,
                "name_en": en,
                "kinds": kind,
                "pcode": pcode,
                "latitude": lat,
                "longitude": lon,
                "neighbour_country": neighbour,
            },
        )
        for number, (code, fr, en, kind, pcode, lat, lon, neighbour) in enumerate(
            NEW_SITES, start=2
        )
    ]


def capacity_rows() -> list[dict]:
    """Every demo assessment: round 1 then weekly rounds, deterministic."""
    rng = random.Random(2020)
    points = BCP + ITP + CORDON
    answers: dict[str, dict[str, str]] = {p: {} for p in points}
    for item, group, no, yes, missing in ROUND_1_EXACT:
        drawn = ["no"] * no + ["yes"] * yes + ["not_assessed"] * missing
        rng.shuffle(drawn)
        for point, answer in zip(group, drawn, strict=True):
            answers[point][item] = answer
    for point in points:
        for item in CAPACITY_ITEM_FIELDS:
            if item in answers[point]:
                continue
            roll = rng.random()
            if roll < NOT_ASSESSED_CHANCE:
                answers[point][item] = "not_assessed"
            else:
                answers[point][item] = "yes" if rng.random() < YES_CHANCE[item] else "no"
    staff = {p: rng.choice([0, 1, 1, 2, 2, 3, 4]) for p in points}
    hours = {p: rng.choice(["", "6", "8", "10", "12", "12", "24"]) for p in points}
    rows = []

    def add(point, day, current):
        rows.append(
            {
                "site": point,
                "point_type": POINT_TYPE[point],
                "assessed_on": day.isoformat(),
                **current,
                "health_staff_present": staff[point],
                "screening_hours_per_day": hours[point],
            }
        )

    for index, point in enumerate(points):
        add(point, ROUND_1_DAYS[index % 3], answers[point])
    for week in range(1, WEEKLY_ROUNDS + 1):
        for point in points:
            current = answers[point]
            for item, answer in current.items():
                if answer == "no" and rng.random() < 0.12:
                    current[item] = "yes"
                elif answer == "not_assessed" and rng.random() < 0.4:
                    current[item] = "yes" if rng.random() < 0.5 else "no"
            if staff[point] < 4 and rng.random() < 0.15:
                staff[point] += 1
            if hours[point] in ("", "6") and rng.random() < 0.2:
                hours[point] = "8"
            if rng.random() < 0.1:  # not reached this week
                continue
            day = ROUND_1_DAYS[0] + dt.timedelta(days=7 * week + rng.randrange(0, 4))
            add(point, day, dict(current))
    return rows


def status_rows() -> list[dict]:
    """Status history: the same every year until March 2020, then the border closure."""
    rng = random.Random(19)
    rows = []

    def add(
        point,
        day,
        status,
        *,
        restriction="",
        populations="",
        measures="",
        inflow=None,
        outflow=None,
        note="",
    ):
        rows.append(
            {
                "site": point,
                "effective_from": day,
                "status": status,
                "restriction": restriction,
                "populations_affected": populations,
                "health_measures": measures,
                "daily_inflow": "" if inflow is None else inflow,
                "daily_outflow": "" if outflow is None else outflow,
                "note": note,
            }
        )

    usual = {p: rng.randrange(80, 400) for p in BCP + ITP}
    for point in BCP:
        add(
            point,
            "2020-01-01",
            "fully_operational",
            measures="routine_screening",
            inflow=usual[point],
            outflow=int(usual[point] * 1.3),
        )
        add(
            point,
            "2020-03-02",
            "fully_operational",
            measures="covid_screening",
            inflow=usual[point],
            outflow=int(usual[point] * 1.2),
            note="COVID-19 screening of travellers starts",
        )
        if point in ("BCP-ANDERAMBOUKANE", "BCP-LABBEZANGA", "BCP-KORO"):
            add(
                point,
                "2020-03-20",
                "fully_closed",
                restriction="both",
                populations="nationals foreigners goods humanitarian",
                measures="covid_screening",
                inflow=0,
                outflow=0,
                note="Land borders closed (government decision, March 2020)",
            )
        else:
            add(
                point,
                "2020-03-20",
                "partially_operational",
                restriction="both",
                populations="nationals foreigners",
                measures="covid_screening",
                inflow=usual[point] // 10,
                outflow=usual[point] // 12,
                note="Land borders closed to passengers (March 2020); goods and humanitarian "
                "traffic continue",
            )
    for point in ("BCP-KOUREMALE", "BCP-DIBOLI", "BCP-GOGUI"):
        add(
            point,
            "2020-05-04",
            "partially_operational",
            restriction="both",
            populations="nationals foreigners",
            measures="covid_screening quarantine",
            inflow=usual[point] // 8,
            outflow=usual[point] // 12,
            note="Returning nationals quarantined on arrival",
        )
    add("BCP-ANDERAMBOUKANE", "2020-05-11", "unknown", note="No access (insecurity)")
    for point in ITP:
        add(
            point,
            "2020-01-01",
            "fully_operational",
            measures="none",
            inflow=usual[point] * 3,
            outflow=usual[point] * 3,
        )
        add(
            point,
            "2020-03-26",
            "partially_operational",
            restriction="both",
            populations="nationals foreigners",
            measures="covid_screening",
            inflow=usual[point],
            outflow=usual[point],
            note="Curfew from 26 March 2020; screening at the bus station",
        )
    for point in CORDON:
        add(
            point,
            "2020-03-30",
            "fully_operational",
            measures="covid_screening",
            inflow=rng.randrange(50, 300),
            outflow=rng.randrange(50, 300),
            note="Sanitary cordon set up",
        )
    return rows


def _csv(rows: list[dict]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


def load(stdout) -> None:
    from hbmm.intake.channels.files import file_import
    from hbmm.intake.models import ImportFile
    from hbmm.places.services import site_registry_import

    result = site_registry_import(rows=sites_rows())
    stdout.write(f"health: demo points of entry: {result.created} created\n")
    for kind, name, rows in (
        ("poe_capacity", CAPACITY_FILE, capacity_rows),
        ("poe_status", STATUS_FILE, status_rows),
    ):
        if ImportFile.objects.filter(kind=kind, original_name=name, is_demo=True).exists():
            stdout.write(f"health: {name} already loaded\n")
            continue
        record = file_import(kind=kind, source=_csv(rows()), original_name=name, is_demo=True)
        stdout.write(
            f"health: {name}: {record.rows_accepted} accepted, "
            f"{record.rows_quarantined} quarantined\n"
        )
