"""The health app's XLSForms, defined here and written with openpyxl to
src/hbmm/intake/forms/<form_id>.xlsx (the shipped files; a test checks they are up to date and
convert with pyxform). Field names are the mappers' canonical names; form_id == mapper form_id.

    python -m hbmm.health.xlsforms        # rewrite the shipped files
"""

from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent.parent / "intake" / "forms"
FR, EN = "French (fr)", "English (en)"
SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "default",
]
CHOICE_COLUMNS = ["list_name", "name", f"label::{FR}", f"label::{EN}"]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "instance_name", "default_language"]

ITEM_LABELS = {
    "surveillance_system": (
        "Système de surveillance sanitaire sur place",
        "Sanitary surveillance system on site",
    ),
    "traveller_awareness": (
        "Dispositif de sensibilisation des voyageurs (affiches, dépliants, volontaires)",
        "Awareness system for travellers (posters, flyers, volunteers)",
    ),
    "community_awareness": (
        "Mécanisme de sensibilisation communautaire",
        "Community awareness mechanism",
    ),
    "isolation_space": (
        "Espace dédié à l'isolement des cas suspects",
        "Dedicated space to isolate suspect cases",
    ),
    "handwashing": (
        "Dispositif de lavage des mains avec eau et savon",
        "Handwashing station with soap and water",
    ),
    "screening_equipment": (
        "Thermomètres / matériel de dépistage",
        "Thermometers / screening equipment",
    ),
    "ppe_stock": ("Stock d'équipements de protection individuelle", "Stock of PPE"),
    "trained_staff": (
        "Personnel formé aux procédures opérationnelles standard",
        "Staff trained on the standard operating procedures",
    ),
    "referral_pathway": (
        "Circuit de référence connu vers une structure de santé",
        "Known referral pathway to a health facility",
    ),
    "data_tool": ("Outil de collecte de données utilisé", "Data collection tool in use"),
}

NOT_FUTURE = (
    ". <= today()",
    "La date ne peut pas être dans le futur.",
    "The date cannot be in the future.",
)
NOT_NEGATIVE = (". >= 0", "La valeur doit être positive ou nulle.", "The value must be 0 or more.")


def q(type_, name, fr, en, *, required="", relevant="", constraint=None, default="", hint=None):
    c = constraint or ("", "", "")
    h = hint or ("", "")
    return [type_, name, fr, en, h[0], h[1], required, relevant, c[0], c[1], c[2], default]


SITE = q(
    "select_one_from_file sites.csv",
    "site",
    "Point d'entrée",
    "Point of entry",
    required="yes",
    hint=("Code du site dans le registre", "Site code in the registry"),
)

POE_CAPACITY = {
    "settings": [
        "Évaluation des capacités du point d'entrée / Point-of-entry capacity assessment",
        "poe_capacity",
        "2020040101",
        "concat(${site}, ' ', ${assessed_on})",
        FR,
    ],
    "survey": [
        q("start", "start", "", ""),
        q("end", "end", "", ""),
        SITE,
        q("select_one point_type", "point_type", "Type de point", "Point type", required="yes"),
        q(
            "date",
            "assessed_on",
            "Date de l'évaluation",
            "Assessment date",
            required="yes",
            constraint=NOT_FUTURE,
            default="today()",
        ),
        q("begin_group", "checklist", "Liste de vérification", "Checklist"),
        *[
            q("select_one answer", name, fr, en, required="yes")
            for name, (fr, en) in ITEM_LABELS.items()
        ],
        q("end_group", "", "", ""),
        q(
            "integer",
            "health_staff_present",
            "Agents de santé présents",
            "Health staff present",
            constraint=(". >= 0 and . <= 500", "Entre 0 et 500.", "Between 0 and 500."),
        ),
        q(
            "decimal",
            "screening_hours_per_day",
            "Heures de dépistage par jour",
            "Screening hours per day",
            constraint=(". >= 0 and . <= 24", "Entre 0 et 24.", "Between 0 and 24."),
        ),
        q("text", "note", "Observations", "Notes"),
    ],
    "choices": [
        ["point_type", "bcp", "Point de passage frontalier", "Border crossing point"],
        ["point_type", "itp", "Point de transit interne", "Internal transit point"],
        ["point_type", "cordon", "Cordon sanitaire", "Sanitary cordon"],
        ["answer", "yes", "Oui", "Yes"],
        ["answer", "no", "Non", "No"],
        ["answer", "not_assessed", "Non évalué", "Not assessed"],
    ],
}

REGIONS = [
    ("MLI", "Mali (national)", "Mali (national)"),
    ("ML01", "Kayes", "Kayes"),
    ("ML02", "Koulikoro", "Koulikoro"),
    ("ML03", "Sikasso", "Sikasso"),
    ("ML04", "Ségou", "Segou"),
    ("ML05", "Mopti", "Mopti"),
    ("ML06", "Tombouctou", "Timbuktu"),
    ("ML07", "Gao", "Gao"),
    ("ML08", "Kidal", "Kidal"),
    ("ML09", "Bamako", "Bamako"),
    ("ML10", "Ménaka", "Menaka"),
]

EPI_BULLETIN = {
    "settings": [
        "Bulletin épidémiologique quotidien / Daily epidemiological bulletin",
        "epi_bulletin",
        "2020040101",
        "concat(${area}, ' ', ${bulletin_date})",
        FR,
    ],
    "survey": [
        q(
            "date",
            "bulletin_date",
            "Date du bulletin",
            "Bulletin date",
            required="yes",
            constraint=NOT_FUTURE,
        ),
        q("select_one area", "area", "Zone", "Area", required="yes", default="MLI"),
        q(
            "integer",
            "confirmed",
            "Cas confirmés (cumul)",
            "Confirmed cases (cumulative)",
            constraint=NOT_NEGATIVE,
        ),
        q(
            "integer",
            "recovered",
            "Guéris (cumul)",
            "Recovered (cumulative)",
            constraint=NOT_NEGATIVE,
        ),
        q("integer", "deaths", "Décès (cumul)", "Deaths (cumulative)", constraint=NOT_NEGATIVE),
        q(
            "integer",
            "tests",
            "Tests réalisés (cumul)",
            "Tests performed (cumulative)",
            constraint=NOT_NEGATIVE,
        ),
    ],
    "choices": [["area", code, fr, en] for code, fr, en in REGIONS],
}

NOT_OPEN = "${status} = 'partially_operational' or ${status} = 'fully_closed'"
POE_STATUS = {
    "settings": [
        "Statut opérationnel du point d'entrée / Point-of-entry operational status",
        "poe_status",
        "2020040101",
        "concat(${site}, ' ', ${effective_from})",
        FR,
    ],
    "survey": [
        SITE,
        q(
            "date",
            "effective_from",
            "En vigueur depuis",
            "Effective from",
            required="yes",
            constraint=NOT_FUTURE,
            default="today()",
        ),
        q("select_one status", "status", "Statut", "Status", required="yes"),
        q("select_one restriction", "restriction", "Restriction", "Restriction", relevant=NOT_OPEN),
        q(
            "select_multiple population",
            "populations_affected",
            "Populations concernées",
            "Populations affected",
            relevant=NOT_OPEN,
        ),
        q(
            "select_multiple measure",
            "health_measures",
            "Mesures sanitaires",
            "Health measures",
            constraint=(
                "not(selected(., 'none') and count-selected(.) > 1)",
                "« Aucune » ne se combine pas avec d'autres mesures.",
                "'None' cannot be combined with other measures.",
            ),
        ),
        q(
            "integer",
            "daily_inflow",
            "Entrées estimées par jour",
            "Estimated daily inflow",
            constraint=NOT_NEGATIVE,
        ),
        q(
            "integer",
            "daily_outflow",
            "Sorties estimées par jour",
            "Estimated daily outflow",
            constraint=NOT_NEGATIVE,
        ),
        q("text", "note", "Observations", "Notes"),
    ],
    "choices": [
        ["status", "fully_operational", "Pleinement opérationnel", "Fully operational"],
        ["status", "partially_operational", "Partiellement opérationnel", "Partially operational"],
        ["status", "fully_closed", "Complètement fermé", "Fully closed"],
        ["status", "unknown", "Inconnu", "Unknown"],
        ["restriction", "entry", "Entrée", "Entry"],
        ["restriction", "exit", "Sortie", "Exit"],
        ["restriction", "both", "Entrée et sortie", "Entry and exit"],
        ["population", "nationals", "Nationaux", "Nationals"],
        ["population", "foreigners", "Étrangers", "Foreigners"],
        ["population", "goods", "Marchandises / camions", "Goods / trucks"],
        ["population", "humanitarian", "Humanitaire", "Humanitarian"],
        ["measure", "none", "Aucune", "None"],
        ["measure", "routine_screening", "Dépistage de routine", "Routine screening"],
        ["measure", "covid_screening", "Dépistage COVID-19", "COVID-19 screening"],
        ["measure", "quarantine", "Quarantaine", "Quarantine"],
    ],
}

FORMS = {"poe_capacity": POE_CAPACITY, "epi_bulletin": EPI_BULLETIN, "poe_status": POE_STATUS}


def workbook(definition: dict):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for row in definition["survey"]:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(CHOICE_COLUMNS)
    for row in definition["choices"]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    settings.append(definition["settings"])
    return book


def sheet_values(path_or_book) -> dict[str, list[list]]:
    """Every sheet's cell values (for comparing a shipped file with its definition)."""
    from openpyxl import load_workbook

    book = load_workbook(path_or_book) if isinstance(path_or_book, str | Path) else path_or_book
    return {
        sheet.title: [
            ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in book.worksheets
    }


def write_all(directory: Path = FORMS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for form_id, definition in FORMS.items():
        path = directory / f"{form_id}.xlsx"
        workbook(definition).save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
