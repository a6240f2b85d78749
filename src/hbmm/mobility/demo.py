"""Demonstration data of the mobility app (`hbmm demo`), generated and imported for real.

A deterministic generator (fixed seed) writes raw files as they arrive from the field and from
DTM exports, then imports each through intake's `file_import(..., is_demo=True)`: the demo runs
the same path as real data, and every figure is computed from the records it produced.

    demo-fmp-2016-2017-fr.csv        French DTM registry: BOM, `;`, dd/mm/yyyy, French words
    demo-fmp-2018-2019-wca.csv       West and Central Africa FMP export: date, fmp, from, to, n,
                                     sex/age columns, reason_* counts (direction from from/to)
    demo-fmp-2020.xlsx               ODK-style export of the flow_count form (canonical names)
    demo-displacement-2020.csv       two mobility tracking rounds (January, March 2020), French,
                                     with returnees (IDP and from abroad) per origin columns
    demo-mrrc-2020.csv               MRRC occupancy reports
    demo-stranded-2020.csv           stranded migrants at the points after the border closure
    demo-events-2020.csv             emergency events

The generator distributes fixed totals over the observed days, points, directions and sex/age
groups (largest-remainder apportionment of seeded random weights), so the records add up to the
plan's figures (IOM Mali SPRP 2020, situation overview):

    April 2020: 347 individuals/day observed at the FMPs, down 7 % from March 2020;
    1 June 2016 to the land border closure: 262,103 individuals (92,833 incoming, 169,270
    outgoing), 344 per day of observation; 180 stranded migrants in the first week after the
    closure; 239,484 IDPs (March 2020 round); 203 migrants in MRRCs on 15 May 2020, of whom 41
    women and 23 children; 8,355 returnees in the March 2020 round (4,640 IDP returnees,
    3,715 from abroad).

Size: over 500 lines because every demonstration file of the app comes from one seeded generator
whose draws are shared in order: split, the files (and the figures they reproduce) would change.

The figure code knows nothing of these numbers: tests/mobility/test_demo.py computes them from
the imported records.
"""

import csv
import datetime as dt
import io
import math
import random
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from hbmm.intake.channels.files import file_import
from hbmm.intake.models import ImportFile
from hbmm.mobility.selectors import border_closure_date
from hbmm.mobility.services import border_closure_date_set
from hbmm.places.countries import country_name
from hbmm.places.services import site_registry_import

SEED = 20200515
FLOW_START = dt.date(2016, 6, 1)
FLOW_END = dt.date(2020, 5, 31)
CLOSURE = dt.date(2020, 3, 19)  # the demo's land border closure date (first day closed)

# The plan's numbers the records must produce.
PRE_CLOSURE_TOTAL = 262_103
PRE_CLOSURE_INCOMING = 92_833
PRE_CLOSURE_DAYS = 762  # days with at least one count: 262,103 / 762 = 343.97 -> 344
MARCH_DAYS, MARCH_DAYS_BEFORE_CLOSURE = 26, 15
MARCH_TOTAL = 373 * MARCH_DAYS  # 373.0 a day
MARCH_BEFORE_CLOSURE_TOTAL = 380 * MARCH_DAYS_BEFORE_CLOSURE
APRIL_DAYS, APRIL_TOTAL = 28, 347 * 28  # 347.0 a day: (347 - 373) / 373 = -6.97 % -> -7 %
MAY_DAYS, MAY_TOTAL = 27, 8_937
STRANDED_FIRST_WEEK = 180
IDPS_MARCH_2020 = 239_484
MRRC_ON = dt.date(2020, 5, 15)
MRRC_TOTAL, MRRC_WOMEN, MRRC_CHILDREN = 203, 41, 23

# Flow monitoring points: code, French name (as the French registry writes it), relative size,
# the country across the border, and the nationalities met there (with weights).
POINTS = [
    ("BCP-KOUREMALE", "Kourémalé", 1.6, "GIN", {"GIN": 5, "MLI": 4, "SLE": 1, "CIV": 1}),
    ("BCP-ZEGOUA", "Zégoua", 1.3, "CIV", {"CIV": 4, "MLI": 5, "BFA": 1, "GIN": 1}),
    ("BCP-SONA", "Sona", 0.8, "BFA", {"BFA": 5, "MLI": 4, "NER": 1}),
    ("BCP-GOGUI", "Gogui", 1.2, "MRT", {"MRT": 3, "MLI": 5, "SEN": 2, "GMB": 1}),
    ("BCP-DIBOLI", "Diboli", 1.4, "SEN", {"SEN": 4, "MLI": 5, "GMB": 1, "GIN": 1}),
    ("BCP-HEREMAKONO", "Hérémakono", 0.9, "BFA", {"BFA": 4, "MLI": 5, "CIV": 1}),
    ("BCP-BENENA", "Bénéna", 0.6, "BFA", {"BFA": 4, "MLI": 5}),
    ("FMP-BAMAKO", "Bamako (point de suivi des flux)", 1.0, "CIV", {"MLI": 6, "GIN": 2, "NGA": 1}),
    ("FMP-SEVARE", "Sévaré", 0.7, "NER", {"MLI": 7, "NER": 2, "NGA": 1}),
]
BORDER_POSTS = [p[0] for p in POINTS[:5]]
TRANSPORT = {"bus": 5, "car": 2, "truck": 2, "motorcycle": 2, "foot": 0.3}
REASONS = {"economic": 8, "seasonal": 3, "family": 3, "conflict": 0.5, "health": 0.3,
           "tourism": 0.2, "other": 0.7}  # fmt: skip
FR_WORDS = {
    "incoming": "Entrant",
    "outgoing": "Sortant",
    "internal": "Interne",
    "bus": "Autocar",
    "car": "Voiture",
    "truck": "Camion",
    "motorcycle": "Moto",
    "foot": "À pied",
    "economic": "Économique",
    "seasonal": "Saisonnier",
    "family": "Visite familiale",
    "conflict": "Conflit",
    "health": "Santé",
    "tourism": "Tourisme",
    "other": "Autre",
}

# Sites the demo adds to the registry: the MRRCs IOM runs in Mali and two IDP sites in Bamako.
DEMO_SITES = [
    ("MRRC-BAMAKO", "CRRM Bamako", "MRRC Bamako", "mrrc", "ML0901"),
    ("MRRC-GAO", "CRRM Gao", "MRRC Gao", "mrrc", "ML0703"),
    ("MRRC-MOPTI", "CRRM Mopti", "MRRC Mopti", "mrrc", "ML0506"),
    ("IDP-FALADIE", "Site de déplacés de Faladié", "Faladie IDP site", "idp_site", "ML0901"),
    ("IDP-SENOU", "Site de déplacés de Sénou", "Senou IDP site", "idp_site", "ML0901"),
]

# IDPs by cercle (relative weights) in the March 2020 round; Bamako's are at its IDP sites.
IDP_WEIGHTS = {
    "ML0501": 14, "ML0502": 9, "ML0503": 5, "ML0504": 10, "ML0505": 12, "ML0506": 9,
    "ML0507": 4, "ML0508": 3, "ML0403": 6, "ML0404": 7, "ML0405": 3, "ML0406": 4, "ML0407": 2,
    "ML0601": 2, "ML0602": 4, "ML0603": 3, "ML0604": 2, "ML0605": 6, "ML0701": 5, "ML0702": 3,
    "ML0703": 8, "ML0802": 2, "ML1001": 9, "ML1002": 3, "ML1003": 1, "ML0204": 1.5,
    "ML0103": 0.5, "ML0305": 0.5, "IDP-FALADIE": 1.2, "IDP-SENOU": 0.6,
}  # fmt: skip


def apportion(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): exact, non-negative."""
    if total < 0:
        raise ValueError("negative total")
    weight_sum = sum(weights)
    if not weights or weight_sum <= 0:
        raise ValueError("no weight to apportion on")
    raw = [total * w / weight_sum for w in weights]
    parts = [math.floor(r) for r in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _choose(rng: random.Random, days: list[dt.date], k: int, weight=lambda d: 1.0) -> list:
    """k days among `days` (weighted sampling without replacement), in date order."""
    keyed = sorted(days, key=lambda d: rng.random() ** (1.0 / weight(d)), reverse=True)
    return sorted(keyed[:k])


def _season(day: dt.date) -> float:
    """More travel in the dry season (November-May) than in the rains (July-September)."""
    return 1.0 + 0.18 * math.cos((day.month - 2) / 12 * 2 * math.pi)


@dataclass
class FlowRow:
    day: dt.date
    site: str
    direction: str
    parts: list[int]  # men, women, boys, girls
    nationality: str
    transport: str
    reason: str
    reason_counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.parts)


def _day_totals(rng, days: list[dt.date], total: int) -> dict[dt.date, int]:
    weights = [
        (1 + 0.06 * (d.year - 2016)) * _season(d) * rng.lognormvariate(0, 0.22) for d in days
    ]
    return dict(zip(days, apportion(total, weights), strict=True))


def _split_rows(rng, day, direction, total, points) -> list[FlowRow]:
    weights = [p[2] * rng.uniform(0.6, 1.4) for p in points]
    rows = []
    for point, n in zip(points, apportion(total, weights), strict=True):
        if n == 0:
            continue
        adult = rng.uniform(0.72, 0.82)
        male = rng.uniform(0.62, 0.78)
        girls_share = rng.uniform(0.4, 0.55)
        parts = apportion(
            n,
            [
                adult * male,
                adult * (1 - male),
                (1 - adult) * (1 - girls_share),
                (1 - adult) * girls_share,
            ],
        )
        rows.append(
            FlowRow(
                day=day,
                site=point[0],
                direction=direction,
                parts=parts,
                nationality=_pick(rng, point[4]),
                transport=_pick(rng, TRANSPORT),
                reason=_pick(rng, REASONS),
            )
        )
    return rows


def generate_flows(rng: random.Random) -> list[FlowRow]:
    """Flow counts, 1 June 2016 to 31 May 2020, with days without any observation."""
    before = _days(FLOW_START, CLOSURE - dt.timedelta(days=1))
    march_before = [d for d in before if (d.year, d.month) == (2020, 3)]
    others = [d for d in before if (d.year, d.month) != (2020, 3)]
    observed_march = _choose(rng, march_before, MARCH_DAYS_BEFORE_CLOSURE)
    # Monitoring was sparser in the first years.
    observed_others = (
        [FLOW_START]
        + _choose(  # the registry opened on 1 June 2016
            rng,
            others[1:],
            PRE_CLOSURE_DAYS - MARCH_DAYS_BEFORE_CLOSURE - 1,
            weight=lambda d: 0.5 + 0.25 * (d.year - 2016),
        )
    )
    totals = _day_totals(rng, observed_others, PRE_CLOSURE_TOTAL - MARCH_BEFORE_CLOSURE_TOTAL)
    totals.update(_day_totals(rng, observed_march, MARCH_BEFORE_CLOSURE_TOTAL))
    days = sorted(totals)
    shares = [min(0.6, max(0.15, rng.gauss(0.355, 0.05))) for _ in days]
    incoming = apportion(
        PRE_CLOSURE_INCOMING, [totals[d] * s for d, s in zip(days, shares, strict=True)]
    )
    rows: list[FlowRow] = []
    for day, n_in in zip(days, incoming, strict=True):
        if n_in > totals[day]:
            raise AssertionError("generator: more incoming than observed on a day")
        k = rng.choice([1, 2, 2, 2, 3])
        points = rng.sample(POINTS, k)
        rows += _split_rows(rng, day, "incoming", n_in, points)
        rows += _split_rows(rng, day, "outgoing", totals[day] - n_in, points)

    # After the closure: fewer points open, internal flows at the transit points.
    after_march = _choose(
        rng, _days(CLOSURE, dt.date(2020, 3, 31)), MARCH_DAYS - MARCH_DAYS_BEFORE_CLOSURE
    )
    april = _choose(rng, _days(dt.date(2020, 4, 1), dt.date(2020, 4, 30)), APRIL_DAYS)
    may = [*_choose(rng, _days(dt.date(2020, 5, 1), dt.date(2020, 5, 30)), MAY_DAYS - 1), FLOW_END]
    for period_days, total in [
        (after_march, MARCH_TOTAL - MARCH_BEFORE_CLOSURE_TOTAL),
        (april, APRIL_TOTAL),
        (may, MAY_TOTAL),
    ]:
        for day, n in _day_totals(rng, period_days, total).items():
            by_direction = apportion(n, [0.42, 0.4, 0.18])
            points = [POINTS[7]] + rng.sample(POINTS[:7], rng.choice([1, 2, 3]))
            rows += _split_rows(rng, day, "incoming", by_direction[0], points)
            rows += _split_rows(rng, day, "outgoing", by_direction[1], points)
            transit = [p for p in points if p[0].startswith("FMP-")]
            rows += _split_rows(rng, day, "internal", by_direction[2], transit)
    # The WCA export counts individuals per reason.
    for row in rows:
        if dt.date(2018, 1, 1) <= row.day <= dt.date(2019, 12, 31):
            main = row.reason
            weights = {r: (w * 6 if r == main else w * 0.3) for r, w in REASONS.items()}
            counts = apportion(row.total, [rng.uniform(0.5, 1.5) * w for w in weights.values()])
            row.reason_counts = {r: c for r, c in zip(weights, counts, strict=True) if c}
    return rows


def _point(code: str):
    return next(p for p in POINTS if p[0] == code)


def _wca_from_to(row: FlowRow) -> tuple[str, str]:
    across = _point(row.site)[3]
    return (across, "MLI") if row.direction == "incoming" else ("MLI", across)


def _csv(header: list[str], rows: list[list], *, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def flow_files(rows: list[FlowRow], rng: random.Random) -> dict[str, bytes]:
    french = [r for r in rows if r.day.year <= 2017]
    wca = [r for r in rows if 2018 <= r.day.year <= 2019]
    recent = [r for r in rows if r.day.year == 2020]
    files = {}
    files["demo-fmp-2016-2017-fr.csv"] = _csv(
        ["Date", "Point de suivi", "Sens du flux", "Hommes", "Femmes", "Garçons", "Filles",
         "Total", "Nationalité", "Moyen de transport", "Motif", "Provenance", "Destination"],
        [
            [
                r.day.strftime("%d/%m/%Y"), _point(r.site)[1], FR_WORDS[r.direction], *r.parts,
                r.total, country_name(r.nationality), FR_WORDS[r.transport], FR_WORDS[r.reason],
                *[country_name(c) for c in _wca_from_to(r)],
            ]
            for r in french
        ],
        delimiter=";",
        bom=True,
    )  # fmt: skip
    reasons = list(REASONS)
    files["demo-fmp-2018-2019-wca.csv"] = _csv(
        ["date", "fmp", "from", "to", "n", "adult_male", "adult_female", "minor_male",
         "minor_female", *[f"reason_{r}" for r in reasons], "nationality", "transport"],
        [
            [r.day.isoformat(), r.site, *_wca_from_to(r), r.total, *r.parts,
             *[r.reason_counts.get(x, 0) for x in reasons], r.nationality, r.transport]
            for r in wca
        ],
    )  # fmt: skip
    files["demo-fmp-2020.xlsx"] = _xlsx(
        ["KEY", "observation_date", "site", "direction", "men", "women", "boys", "girls",
         "total", "nationality", "transport", "reason", "previous_country", "next_country",
         "observation_hours"],
        [
            [f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}", r.day, r.site,
             r.direction, *r.parts, r.total, r.nationality, r.transport, r.reason,
             *(_wca_from_to(r) if r.direction != "internal" else ("MLI", "MLI")), 12]
            for r in recent
        ],
    )  # fmt: skip
    return files


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Returnees per round and cercle: IDP returnees per cercle of origin, returnees from abroad per
# country (fixed, so that the other demo figures keep their random draws).
RETURNEE_IDP_ORIGINS = ("ML0505", "ML0703", "ML0501")
RETURNEE_COUNTRIES = ("NER", "DZA", "BFA")
RETURNEES = {
    (1, "ML0601"): ({"ML0505": 1010}, {"NER": 700, "DZA": 320}),
    (1, "ML0701"): ({"ML0703": 1880}, {"NER": 1200}),
    (2, "ML0601"): ({"ML0505": 1240}, {"NER": 860, "DZA": 410}),
    (2, "ML0701"): ({"ML0703": 2105, "ML0501": 380}, {"NER": 1530, "DZA": 275}),
    (2, "ML0501"): ({"ML0505": 915}, {"BFA": 640}),
}
RETURNEES_MARCH_2020 = 8355  # round 2: 4 640 IDP returnees and 3 715 from abroad


def _returnee_cells(number: int, pcode: str) -> list:
    idp, abroad = RETURNEES.get((number, pcode), ({}, {}))
    if not idp and not abroad:
        return [""] * (2 + len(RETURNEE_IDP_ORIGINS) + len(RETURNEE_COUNTRIES))
    return [
        sum(idp.values()),
        sum(abroad.values()),
        *(idp.get(p, "") for p in RETURNEE_IDP_ORIGINS),
        *(abroad.get(c, "") for c in RETURNEE_COUNTRIES),
    ]


def displacement_file(rng: random.Random) -> bytes:
    keys = list(IDP_WEIGHTS)
    rows = []
    for number, day, total in [
        (1, dt.date(2020, 1, 31), 218_536),
        (2, dt.date(2020, 3, 31), IDPS_MARCH_2020),
    ]:
        weights = [IDP_WEIGHTS[k] * rng.uniform(0.85, 1.15) for k in keys]
        for key, n in zip(keys, apportion(total, weights), strict=True):
            households = max(1, round(n / rng.uniform(5.2, 6.4)))
            adults = apportion(n, [0.22, 0.26, 0.27, 0.25])
            site, pcode = (key, "ML0901") if key.startswith("IDP-") else ("", key)
            returnees = _returnee_cells(number, "" if site else pcode)
            rows.append(
                [number, day.strftime("%d/%m/%Y"), pcode, site, households, n, *adults,
                 "Conflit armé / insécurité", "2018-2020", *returnees]
            )  # fmt: skip
    return _csv(
        ["Round", "Date", "Pcode cercle", "Site PDI", "Ménages", "Individus", "Hommes", "Femmes",
         "Garçons", "Filles", "Raison du déplacement", "Période de déplacement",
         "Retournés PDI", "Retournés de l'étranger",
         *(f"Retournés PDI {p}" for p in RETURNEE_IDP_ORIGINS),
         *(f"Rapatriés {c}" for c in RETURNEE_COUNTRIES)],
        rows,
        delimiter=";",
        bom=True,
    )  # fmt: skip


def mrrc_file(rng: random.Random) -> bytes:
    centres = {"MRRC-BAMAKO": (0, 2, 4), "MRRC-GAO": (1,), "MRRC-MOPTI": (3,)}  # weekdays
    on_date = {}
    for code in centres:  # each centre's latest report on or before 15 May 2020
        day = MRRC_ON
        while day.weekday() not in centres[code]:
            day -= dt.timedelta(days=1)
        on_date[code] = day
    totals = apportion(MRRC_TOTAL, [0.47, 0.3, 0.23])
    women = apportion(MRRC_WOMEN, [0.5, 0.28, 0.22])
    children = apportion(MRRC_CHILDREN, [0.45, 0.3, 0.25])
    snapshot = {}
    for i, code in enumerate(centres):
        boys, girls = apportion(children[i], [0.55, 0.45])
        snapshot[code] = [totals[i] - women[i] - children[i], women[i], boys, girls]
    rows = []
    for day in _days(dt.date(2020, 1, 6), dt.date(2020, 5, 29)):
        for code, weekdays in centres.items():
            if day.weekday() not in weekdays:
                continue
            if day == on_date[code]:
                parts = snapshot[code]
            else:
                n = rng.randint(25, 110) if code == "MRRC-BAMAKO" else rng.randint(15, 70)
                parts = apportion(n, [0.72, 0.17, 0.06, 0.05])
            rows.append([day.isoformat(), code, sum(parts), *parts])
    return _csv(["date", "centre", "present", "men", "women", "boys", "girls"], rows)


def stranded_file(rng: random.Random) -> bytes:
    first_week = _days(CLOSURE, CLOSURE + dt.timedelta(days=6))
    groups = [(d, rng.choice(BORDER_POSTS)) for d in first_week for _ in range(rng.choice([1, 2]))]
    counts = apportion(STRANDED_FIRST_WEEK, [rng.uniform(0.5, 1.5) for _ in groups])
    later = [
        (d, rng.choice(BORDER_POSTS), rng.randint(3, 25))
        for d in _days(CLOSURE + dt.timedelta(days=7), dt.date(2020, 5, 31))
        if rng.random() < 0.15
    ]
    needs = ["nourriture", "abri", "santé", "transport", "eau"]
    rows = []
    for (day, site), n in [*zip(groups, counts, strict=True), *[((d, s), n) for d, s, n in later]]:
        nationalities = {_pick(rng, _point(site)[4]) for _ in range(3)}
        rows.append(
            [day.strftime("%d/%m/%Y"), site, n, " ".join(sorted(nationalities)),
             ";".join(rng.sample(needs, 2))]
        )  # fmt: skip
    return _csv(
        ["Date", "Point", "Migrants bloqués", "Nationalités", "Besoins"],
        rows,
        delimiter=";",
        bom=True,
    )


def events_file() -> bytes:
    rows = [
        ["2020-01-12", "insecurity", "ML0501", "", 210, 1180, "Ogossagou", "Bandiagara",
         "host families", "food;shelter", "Attaque d’un village ; des ménages ont fui vers Bandiagara.",
         "CMP Mopti"],
        ["2020-02-20", "displacement", "ML0505", "", 340, 1950, "Mondoro", "Douentza",
         "spontaneous sites", "shelter;food;water", "Déplacement préventif après des menaces.",
         "Point focal DTM"],
        ["2020-03-19", "border_closure", "MLI", "", "", "", "", "", "", "",
         "Frontières terrestres fermées aux voyageurs (marchandises exceptées).", "Gouvernement du Mali"],
        ["2020-03-22", "stranded", "ML0203", "BCP-KOUREMALE", "", 46, "GIN", "MLI", "none",
         "food;health", "Voyageurs bloqués au poste frontière.", "Enquêteur PSF"],
        ["2020-04-28", "flood", "ML0703", "", 95, 520, "", "", "school", "shelter;nfi",
         "Des pluies précoces ont inondé une partie d’un quartier.", "Protection civile"],
    ]  # fmt: skip
    return _csv(
        ["date", "type", "pcode", "site", "households", "individuals", "from", "to", "shelter",
         "needs", "description", "source"],
        rows,
    )  # fmt: skip


def generate() -> list[tuple[str, str, bytes]]:
    """(import kind, file name, content) of every demo file, deterministic."""
    rng = random.Random(SEED)
    flows = generate_flows(rng)
    files = [("flow_count", name, data) for name, data in flow_files(flows, rng).items()]
    files.append(("displacement", "demo-displacement-2020.csv", displacement_file(rng)))
    files.append(("mrrc_occupancy", "demo-mrrc-2020.csv", mrrc_file(rng)))
    files.append(("stranded", "demo-stranded-2020.csv", stranded_file(rng)))
    files.append(("event", "demo-events-2020.csv", events_file()))
    return files


def _demo_sites() -> None:
    site_registry_import(
        rows=[
            (i, {"code": c, "name_fr": fr, "name_en": en, "kinds": k, "pcode": p})
            for i, (c, fr, en, k, p) in enumerate(DEMO_SITES, start=2)
        ]
    )


def load(stdout) -> None:
    """Import the demo files not imported yet; does nothing when they all were."""
    files = generate()
    done = set(
        ImportFile.objects.filter(
            is_demo=True, original_name__in=[name for _k, name, _d in files], status="done"
        ).values_list("original_name", flat=True)
    )
    if len(done) == len(files):
        stdout.write("mobility: demo data already loaded\n")
        return
    _demo_sites()
    if border_closure_date() is None:
        border_closure_date_set(day=CLOSURE)
    with tempfile.TemporaryDirectory(prefix="hbmm-mobility-demo-") as folder:
        for kind, name, data in files:
            if name in done:
                continue
            path = Path(folder) / name
            path.write_bytes(data)
            with open(path, "rb") as handle:
                imported = file_import(
                    kind=kind, source=handle, original_name=name, is_demo=True, batch_size=500
                )
            stdout.write(
                f"mobility: {name}: {imported.rows_accepted} rows accepted, "
                f"{imported.rows_quarantined} quarantined\n"
            )
