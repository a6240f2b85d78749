"""Writes the mobility XLSForms into src/hbmm/intake/forms/: displacement, mrrc_occupancy,
stranded and event (the flow_count form is written by tools/forms/flow_count.py).
Run: .venv/bin/python tools/forms/mobility_forms.py

Field names are the canonical names of the mobility mappers (hbmm.mobility.intake_mappers);
the site is `select_one_from_file sites.csv` (choice name = site code, filtered on its kinds).
Bump VERSION whenever a form changes.
"""

import os
from pathlib import Path

import django
from openpyxl import Workbook

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
django.setup()

from hbmm.intake.xlsform_writer import server_messages  # noqa: E402
from hbmm.mobility.models import MobilityEvent, Need  # noqa: E402
from hbmm.places.countries import countries  # noqa: E402

VERSION = "2026120601"
FORMS_DIR = Path(__file__).resolve().parents[2] / "src/hbmm/intake/forms"
FR, EN = "label::French (fr)", "label::English (en)"
# Constraint messages are the server's own (intake.cleaning's and the mappers' msgids).
AT_LEAST_0 = ("Must be at least %s.", 0)
NON_NEGATIVE = {"constraint": ". >= 0 and . <= 1000000"} | server_messages(
    AT_LEAST_0, ("Must be at most %s.", 1000000)
)
NOT_FUTURE = {"constraint": ". <= today()"} | server_messages(("The date is in the future.", None))
META = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "deviceid", "name": "deviceid"},
]


def field(kind, name, fr, en, *, required=True, **extra):
    row = {"type": kind, "name": name, FR: fr, EN: en}
    if required:
        row["required"] = "yes"
    return row | extra


# The server's message, its figures filled in by the phone (`parts` is a calculation).
ADD_UP = (
    "Men, women, boys and girls add up to %(parts)s, not to %(total)s.",
    {"parts": "${parts}", "total": "${total}"},
)
ALL_FOUR = ("Give all four of men, women, boys and girls, or none of them.", None)


def girls_last() -> dict:
    """Girls, the last of the four, is required once any other is given, and its constraint
    wants all four and their sum equal to the total: the server's checks, in its words. (On
    girls only: requiring each of the four from the others is a cycle ODK Validate refuses.)"""
    return {
        "required": "${men} != '' or ${women} != '' or ${boys} != ''",
        "constraint": (
            ". >= 0 and ${men} != '' and ${women} != '' and ${boys} != '' and ${parts} = ${total}"
        ),
        **server_messages(ALL_FOUR, column="required_message"),
        **server_messages(AT_LEAST_0, ALL_FOUR, ADD_UP),
    }


def count(name, fr, en, *, required=True, **extra):
    return field("integer", name, fr, en, required=required, **(NON_NEGATIVE | extra))


def site(fr, en, kind, *, required=True):
    return field(
        "select_one_from_file sites.csv",
        "site",
        fr,
        en,
        required=required,
        choice_filter=f"selected(kinds, '{kind}')",
    )


def sex_age(total_fr, total_en):
    return [
        count("men", "Hommes adultes", "Adult men"),
        count("women", "Femmes adultes", "Adult women"),
        count("boys", "Garçons (moins de 18 ans)", "Boys (under 18)"),
        count("girls", "Filles (moins de 18 ans)", "Girls (under 18)"),
        {
            "type": "calculate",
            "name": "total",
            "calculation": "${men} + ${women} + ${boys} + ${girls}",
        },
        {
            "type": "note",
            "name": "total_note",
            FR: f"{total_fr} : ${{total}}",
            EN: f"{total_en}: ${{total}}",
        },
    ]


# The countries the forms offer (Africa, then the destinations and nationalities met at the
# points); their names are those of HBMM's one country list (hbmm.places.countries).
FORM_COUNTRIES = (
    "DZA",
    "AGO",
    "BEN",
    "BWA",
    "BFA",
    "BDI",
    "CPV",
    "CMR",
    "CAF",
    "TCD",
    "COM",
    "COG",
    "COD",
    "CIV",
    "DJI",
    "EGY",
    "GNQ",
    "ERI",
    "SWZ",
    "ETH",
    "GAB",
    "GMB",
    "GHA",
    "GIN",
    "GNB",
    "KEN",
    "LSO",
    "LBR",
    "LBY",
    "MDG",
    "MWI",
    "MLI",
    "MRT",
    "MUS",
    "MAR",
    "MOZ",
    "NAM",
    "NER",
    "NGA",
    "RWA",
    "STP",
    "SEN",
    "SYC",
    "SLE",
    "SOM",
    "ZAF",
    "SSD",
    "SDN",
    "TZA",
    "TGO",
    "TUN",
    "UGA",
    "ZMB",
    "ZWE",
    "FRA",
    "ESP",
    "ITA",
    "DEU",
    "BEL",
    "PRT",
    "GBR",
    "USA",
    "CAN",
    "CHN",
    "IND",
    "PAK",
    "BGD",
    "LBN",
    "SYR",
    "TUR",
    "SAU",
)


def country_choices(list_name="country"):
    names = countries()
    return [
        {"list_name": list_name, "name": c, FR: names[c][0], EN: names[c][1]}
        for c in FORM_COUNTRIES
    ]


NEED_FR = {
    "food": "Nourriture",
    "water": "Eau",
    "shelter": "Abri",
    "health": "Soins de santé",
    "nfi": "Articles non alimentaires",
    "transport": "Transport",
    "documentation": "Documents d'identité",
    "protection": "Protection",
    "cash": "Argent",
    "other": "Autre",
}
EVENT_FR = {
    "displacement": "Déplacement",
    "border_closure": "Fermeture de frontière",
    "stranded": "Groupe de migrants bloqués",
    "insecurity": "Insécurité / attaque",
    "flood": "Inondation",
    "other": "Autre",
}


def need_choices():
    return [
        {"list_name": "need", "name": code, FR: NEED_FR[code], EN: str(label).capitalize()}
        for code, label in Need.choices
    ]


def settings(form_id, fr_title, instance_name):
    return {
        "form_title": fr_title,
        "form_id": form_id,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": instance_name,
    }


FORMS = {
    "displacement": (
        [
            *META,
            count(
                "round_number",
                "Numéro du round",
                "Round number",
                constraint=". >= 1",
                **server_messages(("Must be at least %s.", 1)),
            ),
            field(
                "date",
                "reporting_date",
                "Date de référence du round",
                "Round reporting date",
                **NOT_FUTURE,
            ),
            field(
                "select_one_from_file areas.csv",
                "area",
                "Cercle",
                "Cercle",
                choice_filter="level = 2",
                appearance="autocomplete",
            ),
            site(
                "Site de déplacés (si le chiffre est celui d'un site)",
                "IDP site (when the figure is a site's)",
                "idp_site",
                required=False,
            ),
            count("households", "Ménages déplacés", "IDP households"),
            count(
                "total",
                "Personnes déplacées (individus)",
                "IDP individuals",
                constraint=". >= 0 and . <= 1000000 and (${girls} = '' or ${parts} = .)",
                **server_messages(AT_LEAST_0, ("Must be at most %s.", 1000000), ADD_UP),
            ),
            {
                "type": "begin_group",
                "name": "breakdown",
                FR: "Par sexe et âge (si connu)",
                EN: "By sex and age (when known)",
            },
            count("men", "Hommes adultes", "Adult men", required=False),
            count("women", "Femmes adultes", "Adult women", required=False),
            count("boys", "Garçons", "Boys", required=False),
            count("girls", "Filles", "Girls", required=False) | girls_last(),
            {
                "type": "calculate",
                "name": "parts",
                "calculation": "${men} + ${women} + ${boys} + ${girls}",
            },
            {"type": "end_group", "name": "breakdown"},
            count("returnees", "Retournés", "Returnees", required=False),
            field(
                "text", "reason", "Raison du déplacement", "Reason for displacement", required=False
            ),
            field(
                "text", "period", "Période du déplacement", "Period of displacement", required=False
            ),
        ],
        [],
        settings(
            "displacement",
            "Suivi des déplacements (round)",
            "concat('R', ${round_number}, ' ', ${area})",
        ),
    ),
    "mrrc_occupancy": (
        [
            *META,
            field("date", "date", "Date", "Date", default="today()", **NOT_FUTURE),
            site("Centre (CRRM)", "Centre (MRRC)", "mrrc"),
            *sex_age("Migrants présents", "Migrants present"),
        ],
        [],
        settings("mrrc_occupancy", "Occupation des CRRM", "concat(${site}, ' ', ${date})"),
    ),
    "stranded": (
        [
            *META,
            field("date", "date", "Date", "Date", default="today()", **NOT_FUTURE),
            site(
                "Point (poste frontalier, point de suivi...)", "Point (border post, FMP...)", "fmp"
            ),
            count("count", "Migrants bloqués", "Stranded migrants"),
            field(
                "select_multiple country",
                "nationalities",
                "Nationalités",
                "Nationalities",
                required=False,
            ),
            field(
                "select_multiple need", "needs", "Besoins principaux", "Main needs", required=False
            ),
            field("text", "note", "Remarques", "Notes", required=False),
        ],
        country_choices() + need_choices(),
        settings("stranded", "Migrants bloqués", "concat(${site}, ' ', ${date}, ' : ', ${count})"),
    ),
    "event": (
        [
            *META,
            field("date", "event_date", "Date de l'événement", "Event date", **NOT_FUTURE),
            field("select_one event_type", "event_type", "Type d'événement", "Event type"),
            field(
                "select_one_from_file areas.csv",
                "area",
                "Lieu (région, cercle)",
                "Place (region, cercle)",
                appearance="autocomplete",
            ),
            field(
                "select_one_from_file sites.csv",
                "site",
                "Site (si l'événement concerne un site)",
                "Site (when the event is at a site)",
                required=False,
            ),
            count("households", "Ménages affectés", "Households affected", required=False),
            count("individuals", "Personnes affectées", "Individuals affected", required=False),
            field("text", "from_location", "Provenance", "From", required=False),
            field("text", "to_location", "Destination", "To", required=False),
            field("text", "shelter", "Abri", "Shelter", required=False),
            field(
                "select_multiple need", "needs", "Premiers besoins", "First needs", required=False
            ),
            field(
                "text",
                "description",
                "Description",
                "Description",
                required=False,
                appearance="multiline",
            ),
            field(
                "text",
                "source",
                "Source de l'information",
                "Source of the information",
                required=False,
            ),
        ],
        [
            {
                "list_name": "event_type",
                "name": code,
                FR: EVENT_FR[code],
                EN: str(label).capitalize(),
            }
            for code, label in MobilityEvent.Type.choices
        ]
        + need_choices(),
        settings(
            "event", "Suivi des événements d'urgence", "concat(${event_type}, ' ', ${event_date})"
        ),
    ),
}


def write(path: Path, survey: list[dict], choices: list[dict], form_settings: dict) -> Path:
    workbook = Workbook()
    sheets = [("survey", survey), ("choices", choices), ("settings", [form_settings])]
    for index, (title, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        sheet.append(columns or ["list_name", "name", FR, EN])
        for row in rows:
            sheet.append([str(row.get(c, "")) if row.get(c) is not None else "" for c in columns])
    workbook.save(path)
    return path


if __name__ == "__main__":
    for form_id, (survey, choices, form_settings) in FORMS.items():
        print(write(FORMS_DIR / f"{form_id}.xlsx", survey, choices, form_settings))
