"""Writes the temporary site monitoring XLSForm (CCCM) into src/hbmm/intake/forms/.
Run: .venv/bin/python tools/forms/cccm_forms.py

Field names are the canonical names of hbmm.protection.intake_mappers.SiteMonitoringMapper;
the site is `select_one_from_file sites.csv` filtered on the IDP site kind. Bump VERSION
whenever the form changes.
"""

import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hbmm.settings")
django.setup()

from hbmm.intake.xlsform_writer import server_messages, write_xlsform  # noqa: E402

VERSION = "2026120601"
FORMS_DIR = Path(__file__).resolve().parents[2] / "src/hbmm/intake/forms"
FR, EN = "label::French (fr)", "label::English (en)"
# Constraint messages in the server's words (intake.cleaning's and the mapper's msgids).
AT_LEAST_0 = ("Must be at least %s.", 0)
NON_NEGATIVE = {"constraint": ". >= 0 and . <= 1000000"} | server_messages(
    AT_LEAST_0, ("Must be at most %s.", 1000000)
)


def field(kind, name, fr, en, *, required=True, **extra):
    row = {"type": kind, "name": name, FR: fr, EN: en}
    if required:
        row["required"] = "yes"
    return row | extra


def count(name, fr, en, *, required=False, **extra):
    return field("integer", name, fr, en, required=required, **(NON_NEGATIVE | extra))


SURVEY = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "deviceid", "name": "deviceid"},
    field(
        "date",
        "date",
        "Date de la visite",
        "Visit date",
        default="today()",
        constraint=". <= today()",
        **server_messages(("The date is in the future.", None)),
    ),
    field(
        "select_one_from_file sites.csv",
        "site",
        "Site de déplacés",
        "IDP site",
        choice_filter="selected(kinds, 'idp_site')",
    ),
    count("population", "Personnes sur le site", "Individuals on the site", required=True),
    count(
        "households",
        "Ménages",
        "Households",
        constraint=". >= 0 and . <= ${population}",
        **server_messages(AT_LEAST_0, ("More households than individuals.", None)),
    ),
    count("isolation_tents", "Tentes d'isolement", "Isolation tents"),
    count("isolation_capacity", "Capacité d'isolement (personnes)", "Isolation capacity (persons)"),
    count("handwashing_points", "Points de lavage des mains", "Handwashing points"),
    count("latrines", "Latrines fonctionnelles", "Working latrines"),
    field(
        "select_one distancing",
        "distancing",
        "Réorganisation du site pour la distanciation",
        "Site reorganisation for distancing",
        required=False,
    ),
    field("text", "note", "Remarques", "Notes", required=False, appearance="multiline"),
]
CHOICES = [
    {"list_name": "distancing", "name": "not_started", FR: "Pas commencée", EN: "Not started"},
    {"list_name": "distancing", "name": "in_progress", FR: "En cours", EN: "In progress"},
    {"list_name": "distancing", "name": "done", FR: "Terminée", EN: "Done"},
]
SETTINGS = {
    "form_title": "Suivi des sites temporaires",
    "form_id": "site_monitoring",
    "version": VERSION,
    "default_language": "French (fr)",
    "instance_name": "concat(${site}, ' ', ${date})",
}


if __name__ == "__main__":
    print(
        write_xlsform(
            FORMS_DIR / "site_monitoring.xlsx", survey=SURVEY, choices=CHOICES, settings=SETTINGS
        )
    )
