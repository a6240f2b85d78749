"""Writes src/hbmm/intake/forms/flow_count.xlsx: the flow monitoring registry (daily counts
of travellers at a flow monitoring point). Run: .venv/bin/python tools/forms/flow_count.py

Field names are the mapper's canonical names (mobility's flow_count mapper); constraint
messages the server's (`server_messages`); places from `places.csv` filtered by the country
chosen. Bump `version` whenever the form changes.
"""

import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
django.setup()

from hbmm.intake.xlsform_writer import server_messages, write_xlsform  # noqa: E402

FR, EN = "label::French (fr)", "label::English (en)"
HFR, HEN = "hint::French (fr)", "hint::English (en)"
# Constraint messages are the server's (the mapper's and intake.cleaning's msgids).
AT_LEAST_0 = ("Must be at least %s.", 0)
NON_NEGATIVE = {"constraint": ". >= 0 and . <= 100000"} | server_messages(
    AT_LEAST_0, ("Must be at most %s.", 100000)
)


def count(name, fr, en, **extra):
    return (
        {"type": "integer", "name": name, FR: fr, EN: en, "required": "yes"} | NON_NEGATIVE | extra
    )


survey = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "deviceid", "name": "deviceid"},
    {
        "type": "date",
        "name": "observation_date",
        FR: "Date de l'observation",
        EN: "Observation date",
        "required": "yes",
        "default": "today()",
        "constraint": ". <= today()",
    }
    | server_messages(("The date is in the future.", None)),
    {
        "type": "select_one_from_file sites.csv",
        "name": "site",
        FR: "Point de suivi des flux",
        EN: "Flow monitoring point",
        HFR: "Seuls les points de votre zone apparaissent.",
        HEN: "Only the points in your area are listed.",
        "required": "yes",
        "choice_filter": "selected(kinds, 'fmp')",
    },
    {
        "type": "select_one direction",
        "name": "direction",
        FR: "Direction du flux",
        EN: "Flow direction",
        "required": "yes",
        "appearance": "horizontal",
    },
    {
        "type": "decimal",
        "name": "observation_hours",
        FR: "Durée de l'observation (heures)",
        EN: "Observation time (hours)",
        "required": "yes",
        "default": "24",
        "constraint": ". > 0 and . <= 24",
    }
    | server_messages(("Must be more than 0.", None), ("Must be at most %s.", 24)),
    {"type": "begin_group", "name": "travellers", FR: "Voyageurs", EN: "Travellers"},
    count("men", "Hommes adultes", "Adult men"),
    count("women", "Femmes adultes", "Adult women"),
    count("boys", "Garçons (moins de 18 ans)", "Boys (under 18)"),
    count("girls", "Filles (moins de 18 ans)", "Girls (under 18)"),
    count(
        "unaccompanied_children",
        "Enfants non accompagnés",
        "Unaccompanied children",
        constraint=". >= 0 and . <= ${boys} + ${girls}",
        **server_messages(AT_LEAST_0, ("More than the children counted.", None)),
    ),
    {
        "type": "calculate",
        "name": "total",
        "calculation": "${men} + ${women} + ${boys} + ${girls}",
    },
    {
        "type": "note",
        "name": "total_note",
        FR: "Total : ${total} voyageurs",
        EN: "Total: ${total} travellers",
    },
    count(
        "stranded",
        "Dont bloqués (ne peuvent poursuivre leur voyage)",
        "Of whom stranded (cannot continue their journey)",
        constraint=". >= 0 and . <= ${total}",
        **server_messages(AT_LEAST_0, ("More than the total.", None)),
    ),
    {"type": "end_group", "name": "travellers"},
    {"type": "begin_group", "name": "journey", FR: "Voyage", EN: "Journey"},
    {
        "type": "select_one country",
        "name": "nationality",
        FR: "Nationalité principale du groupe",
        EN: "Main nationality of the group",
        "required": "yes",
    },
    {
        "type": "select_one transport",
        "name": "transport",
        FR: "Moyen de transport",
        EN: "Means of transport",
        "required": "yes",
    },
    {
        "type": "select_one reason",
        "name": "reason",
        FR: "Motif principal du voyage",
        EN: "Main reason for travel",
        "required": "yes",
    },
    {
        "type": "select_one country",
        "name": "previous_country",
        FR: "Pays de provenance",
        EN: "Country of departure",
        "required": "yes",
    },
    {
        "type": "select_one_from_file places.csv",
        "name": "previous_pcode",
        FR: "Lieu de provenance",
        EN: "Place of departure",
        HFR: "Région ou cercle du pays de provenance (facultatif).",
        HEN: "Region or cercle of the country of departure (optional).",
        "choice_filter": "country = ${previous_country}",
        "appearance": "autocomplete",
    },
    {
        "type": "select_one country",
        "name": "next_country",
        FR: "Pays de la prochaine étape",
        EN: "Country of the next stop",
        "required": "yes",
    },
    {
        "type": "select_one_from_file places.csv",
        "name": "next_pcode",
        FR: "Lieu de la prochaine étape",
        EN: "Place of the next stop",
        HFR: "Région ou cercle du pays de la prochaine étape (facultatif).",
        HEN: "Region or cercle of the country of the next stop (optional).",
        "choice_filter": "country = ${next_country}",
        "appearance": "autocomplete",
    },
    {
        "type": "select_one country",
        "name": "final_destination",
        FR: "Pays de destination finale",
        EN: "Country of final destination",
    },
    {"type": "end_group", "name": "journey"},
]

COUNTRIES = [
    ("MLI", "Mali", "Mali"),
    ("BFA", "Burkina Faso", "Burkina Faso"),
    ("CIV", "Côte d'Ivoire", "Côte d'Ivoire"),
    ("DZA", "Algérie", "Algeria"),
    ("GIN", "Guinée", "Guinea"),
    ("MRT", "Mauritanie", "Mauritania"),
    ("NER", "Niger", "Niger"),
    ("SEN", "Sénégal", "Senegal"),
    ("GMB", "Gambie", "Gambia"),
    ("GNB", "Guinée-Bissau", "Guinea-Bissau"),
    ("SLE", "Sierra Leone", "Sierra Leone"),
    ("LBR", "Libéria", "Liberia"),
    ("GHA", "Ghana", "Ghana"),
    ("TGO", "Togo", "Togo"),
    ("BEN", "Bénin", "Benin"),
    ("NGA", "Nigéria", "Nigeria"),
    ("CMR", "Cameroun", "Cameroon"),
    ("TCD", "Tchad", "Chad"),
    ("LBY", "Libye", "Libya"),
    ("MAR", "Maroc", "Morocco"),
    ("TUN", "Tunisie", "Tunisia"),
    ("ESP", "Espagne", "Spain"),
    ("FRA", "France", "France"),
    ("ITA", "Italie", "Italy"),
]

choices = (
    [
        {"list_name": "direction", "name": "incoming", FR: "Entrant", EN: "Incoming"},
        {"list_name": "direction", "name": "outgoing", FR: "Sortant", EN: "Outgoing"},
        {"list_name": "direction", "name": "internal", FR: "Interne", EN: "Internal"},
    ]
    + [{"list_name": "country", "name": c, FR: fr, EN: en} for c, fr, en in COUNTRIES]
    + [
        {"list_name": "transport", "name": name, FR: fr, EN: en}
        for name, fr, en in [
            ("foot", "À pied", "On foot"),
            ("bicycle", "Vélo", "Bicycle"),
            ("motorcycle", "Moto", "Motorcycle"),
            ("car", "Voiture", "Car"),
            ("bus", "Bus / car", "Bus / coach"),
            ("truck", "Camion", "Truck"),
            ("boat", "Pirogue / bateau", "Boat"),
            ("animal", "Animal", "Animal"),
            ("train", "Train", "Train"),
            ("other", "Autre", "Other"),
        ]
    ]
    + [
        {"list_name": "reason", "name": name, FR: fr, EN: en}
        for name, fr, en in [
            ("economic", "Économique", "Economic"),
            ("seasonal", "Saisonnier", "Seasonal"),
            ("family", "Visite familiale", "Family visit"),
            ("conflict", "Conflit / insécurité", "Conflict / insecurity"),
            ("health", "Santé", "Health"),
            ("tourism", "Tourisme", "Tourism"),
            ("other", "Autre", "Other"),
        ]
    ]
)

settings = {
    "form_title": "Registre de suivi des flux (FMR) / Flow monitoring registry (FMR)",
    "form_id": "flow_count",
    "version": "2026120601",
    "default_language": "French (fr)",
    "instance_name": "concat(${site}, ' ', ${observation_date}, ' ', ${direction})",
    "allow_choice_duplicates": "no",
}

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[2] / "src/hbmm/intake/forms/flow_count.xlsx"
    print(write_xlsform(target, survey=survey, choices=choices, settings=settings))
