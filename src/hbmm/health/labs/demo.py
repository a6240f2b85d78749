"""Demonstration data of the laboratories (`hbmm demo`): the two national laboratories and the
plan's mobile laboratories at 5 points of entry, in the registry. The samples come from the
screening demo (which runs after this one): its suspects' samples are shipped, received,
tested and their results communicated through `labs.services`. Deterministic and idempotent.
"""

import datetime as dt

from django.db import transaction

from hbmm.health.labs.models import LabKind, Laboratory, LabStatus
from hbmm.health.labs.services import laboratory_save
from hbmm.places.models import Site
from hbmm.places.services import site_registry_import

# code, French name, English name, P-code (the screening demo sends its samples to these two).
NATIONAL_LABS = [
    (
        "LAB-INRSP",
        "Institut national de santé publique (INSP)",
        "National public health institute",
        "ML0901",
    ),
    (
        "LAB-CICM",
        "Centre d'infectiologie Charles Mérieux",
        "Charles Mérieux infectiology centre",
        "ML0901",
    ),
]
# The plan: mobile laboratories at 5 points of entry. point -> (since, status, daily capacity)
MOBILE_LABS = {
    "BCP-KOUREMALE": (dt.date(2020, 4, 6), LabStatus.OPERATIONAL, 40),
    "BCP-DIBOLI": (dt.date(2020, 4, 13), LabStatus.OPERATIONAL, 30),
    "BCP-ZEGOUA": (dt.date(2020, 4, 20), LabStatus.PARTIAL, 20),
    "BCP-HEREMAKONO": (dt.date(2020, 5, 4), LabStatus.OPERATIONAL, 20),
    "BCP-GOGUI": (dt.date(2020, 5, 11), LabStatus.NOT_OPERATIONAL, 15),
}
NATIONAL_CAPACITY = {"LAB-INRSP": 400, "LAB-CICM": 250}


def national_lab_rows() -> list[tuple[str, str, str, str, str]]:
    """The national laboratories as site rows (code, names, kind, P-code)."""
    return [(code, fr, en, "lab", pcode) for code, fr, en, pcode in NATIONAL_LABS]


def _site_rows() -> list[dict]:
    rows = [
        {"code": code, "name_fr": fr, "name_en": en, "kinds": kind, "pcode": pcode}
        for code, fr, en, kind, pcode in national_lab_rows()
    ]
    points = {s.code: s for s in Site.objects.select_related("area").filter(code__in=MOBILE_LABS)}
    for code in MOBILE_LABS:
        point = points.get(code)
        if point is None:
            continue
        rows.append(
            {
                "code": "LAB-MOB-" + code.removeprefix("BCP-"),
                "name_fr": f"Laboratoire mobile de {point.name_fr}",
                "name_en": f"{point.name_en or point.name_fr} mobile laboratory",
                "kinds": "lab",
                "pcode": point.area.pcode,
            }
        )
    return rows


def load(stdout) -> None:
    if Laboratory.objects.exists():
        stdout.write("  laboratories demo: already loaded")
        return
    with transaction.atomic():
        missing = [r for r in _site_rows() if not Site.objects.filter(code=r["code"]).exists()]
        if missing:
            site_registry_import(rows=list(enumerate(missing, start=1)))
        for code, _fr, _en, _pcode in NATIONAL_LABS:
            laboratory_save(
                site=Site.objects.get(code=code),
                kind=LabKind.NATIONAL_REFERENCE,
                status=LabStatus.OPERATIONAL,
                since=dt.date(2020, 3, 1),
                daily_capacity=NATIONAL_CAPACITY[code],
                by=None,
            )
        registered = 0
        for point_code, (since, status, capacity) in MOBILE_LABS.items():
            site = Site.objects.filter(code="LAB-MOB-" + point_code.removeprefix("BCP-")).first()
            if site is None:
                continue
            laboratory_save(
                site=site,
                kind=LabKind.MOBILE,
                point=Site.objects.get(code=point_code),
                status=status,
                since=since,
                daily_capacity=capacity,
                by=None,
            )
            registered += 1
    stdout.write(
        f"  laboratories demo: {len(NATIONAL_LABS)} national laboratories, "
        f"{registered} mobile laboratories at points of entry"
    )


def mobile_lab_code(point_code: str, day: dt.date) -> str | None:
    """The code of the mobile laboratory working at `point_code` on `day`, if any: the
    screening demo tests there the samples of the points that have one."""
    since, status, _capacity = MOBILE_LABS.get(point_code, (None, None, None))
    if since is None or day < since or status == LabStatus.NOT_OPERATIONAL:
        return None
    return "LAB-MOB-" + point_code.removeprefix("BCP-")
