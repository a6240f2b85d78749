"""Writes the XLSForm of traveller screening (openpyxl), so the form is reviewable as code (the
community signal form, `ebs/xlsforms.py`, is written with the same helpers):

    .venv/bin/python -m hbmm.health.screening.xlsforms    # rewrites intake/forms/screening.xlsx

Conventions of intake/forms: the file is `<form_id>.xlsx`, the settings' form_id is the
mapper's, field names are the mapper's canonical names, labels `label::French (fr)` and
`label::English (en)`, sites from `select_one_from_file sites.csv` (choice name = site code,
filtered on its `kinds` column). Bump VERSION when a form changes.
"""

from pathlib import Path

from hbmm.intake.form_messages import server_messages
from hbmm.intake.xlsform_writer import write_xlsform
from hbmm.places.countries import countries

FORMS_DIR = Path(__file__).resolve().parents[2] / "intake" / "forms"
FR, EN = "label::French (fr)", "label::English (en)"
HFR, HEN = "hint::French (fr)", "hint::English (en)"
VERSION = "2026120601"
# Constraint messages in the server's words (intake.cleaning's msgids, translated when written).
NOT_FUTURE = {"constraint": ". <= now()"} | server_messages(("The time is in the future.", None))


def _range(low: int, high: int) -> dict:
    return {"constraint": f". >= {low} and . <= {high}"} | server_messages(
        ("Must be at least %s.", low), ("Must be at most %s.", high)
    )


# The countries the form offers (neighbours first); their names are HBMM's one country list's.
FORM_COUNTRIES = (
    "MLI",
    "SEN",
    "GIN",
    "CIV",
    "BFA",
    "NER",
    "DZA",
    "MRT",
    "GMB",
    "GNB",
    "LBR",
    "SLE",
    "GHA",
    "TGO",
    "BEN",
    "NGA",
    "CMR",
    "MAR",
    "LBY",
    "FRA",
    "ESP",
    "ITA",
    "CHN",
)

SYMPTOMS_FR = {
    "fever": "Fièvre",
    "cough": "Toux",
    "shortness_of_breath": "Difficulté à respirer",
    "sore_throat": "Mal de gorge",
    "runny_nose": "Écoulement nasal",
    "headache": "Maux de tête",
    "fatigue": "Fatigue",
    "muscle_pain": "Douleurs musculaires",
    "diarrhoea": "Diarrhée",
    "vomiting": "Vomissements",
    "loss_taste_smell": "Perte du goût ou de l'odorat",
    "other": "Autre",
}


def _field(type_, name, fr, en, **extra):
    return {"type": type_, "name": name, FR: fr, EN: en} | extra


def _choices(list_name, rows):
    return [{"list_name": list_name, "name": n, FR: fr, EN: en} for n, fr, en in rows]


def screening_form() -> dict:
    from hbmm.health.screening.intake_mappers import FORM_ID as SCREENING_FORM_ID
    from hbmm.health.screening.models import (
        AGE_MAX,
        TEMPERATURE_MAX,
        TEMPERATURE_MIN,
        Conveyance,
        Sex,
        Symptom,
    )

    conveyance_fr = {
        "bus": "Bus",
        "car": "Voiture",
        "truck": "Camion",
        "motorbike": "Moto",
        "on_foot": "À pied",
        "other": "Autre",
    }
    sex_fr = {"male": "Homme", "female": "Femme", "unknown": "Non déclaré"}
    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "deviceid", "name": "deviceid"},
        _field(
            "select_one_from_file sites.csv",
            "point",
            "Point d'entrée",
            "Point of entry",
            required="yes",
            choice_filter="selected(kinds, 'bcp') or selected(kinds, 'itp') "
            "or selected(kinds, 'cordon')",
            **{
                HFR: "Seuls les points de votre zone apparaissent.",
                HEN: "Only the points in your area are listed.",
            },
        ),
        _field(
            "dateTime",
            "screened_at",
            "Date et heure du dépistage",
            "Date and time of screening",
            required="yes",
            default="now()",
            **NOT_FUTURE,
        ),
        _field("begin_group", "traveller", "Voyageur", "Traveller"),
        _field(
            "text",
            "traveller_name",
            "Nom et prénom",
            "Full name",
            **{HFR: "Donnée protégée (chiffrée).", HEN: "Protected (encrypted)."},
        ),
        _field("text", "phone", "Téléphone", "Phone"),
        _field("text", "document_number", "Numéro de pièce d'identité", "Identity document number"),
        _field("select_one sex", "sex", "Sexe", "Sex", required="yes", appearance="horizontal"),
        _field(
            "integer",
            "age",
            "Âge (années)",
            "Age (years)",
            **_range(0, AGE_MAX),
        ),
        _field(
            "select_one country", "nationality", "Nationalité", "Nationality", appearance="minimal"
        ),
        {"type": "end_group", "name": "traveller_end"},
        _field("begin_group", "journey", "Voyage", "Journey"),
        _field("select_one conveyance", "conveyance", "Moyen de transport", "Conveyance"),
        _field("text", "company_plate", "Compagnie / immatriculation", "Company / plate"),
        _field(
            "select_one country",
            "origin_country",
            "Pays de provenance",
            "Country of origin",
            appearance="minimal",
        ),
        _field("text", "origin_place", "Lieu de provenance", "Place of origin"),
        _field(
            "select_multiple country",
            "countries_visited",
            "Pays visités dans les 14 derniers jours",
            "Countries visited in the last 14 days",
            appearance="minimal",
        ),
        _field(
            "select_one_from_file places.csv",
            "destination",
            "Destination au Mali (région, cercle)",
            "Destination in Mali (region, cercle)",
            choice_filter="country = 'MLI'",
            appearance="autocomplete",
        ),
        {"type": "end_group", "name": "journey_end"},
        _field("begin_group", "health", "Exposition et symptômes", "Exposure and symptoms"),
        _field(
            "select_one yes_no",
            "contact_sick",
            "Contact avec une personne malade (14 derniers jours)",
            "Contact with a sick person (last 14 days)",
            appearance="horizontal",
        ),
        _field(
            "decimal",
            "temperature",
            "Température mesurée (°C)",
            "Measured temperature (°C)",
            **_range(TEMPERATURE_MIN, TEMPERATURE_MAX),
        ),
        _field("select_multiple symptom", "symptoms", "Symptômes", "Symptoms"),
        _field(
            "text",
            "other_symptom",
            "Autre symptôme",
            "Other symptom",
            relevant="selected(${symptoms}, 'other')",
        ),
        {"type": "end_group", "name": "health_end"},
        _field(
            "select_one decision",
            "decision",
            "Décision de l'agent",
            "Agent's decision",
            **{
                HFR: "Le serveur classe automatiquement selon la définition de cas ; "
                "une décision différente demande une raison.",
                HEN: "The server classifies against the case definition; a different "
                "decision needs a reason.",
            },
        ),
        _field(
            "text",
            "override_reason",
            "Raison de la décision",
            "Reason for the decision",
            relevant="${decision} != ''",
        ),
    ]
    choices = (
        _choices("sex", [(c, sex_fr[c], str(Sex(c).label)) for c in Sex.values])
        + _choices("country", [(c, *countries()[c]) for c in FORM_COUNTRIES])
        + _choices(
            "conveyance",
            [(c, conveyance_fr[c], str(Conveyance(c).label)) for c in Conveyance.values],
        )
        + _choices("yes_no", [("yes", "Oui", "Yes"), ("no", "Non", "No")])
        + _choices("symptom", [(c, SYMPTOMS_FR[c], str(Symptom(c).label)) for c in Symptom.values])
        + _choices(
            "decision",
            [
                ("suspect", "Cas suspect : isoler et notifier", "Suspect case: isolate and notify"),
                (
                    "not_suspect",
                    "Pas un cas suspect : peut continuer",
                    "Not a suspect case: may continue",
                ),
            ],
        )
    )
    settings = {
        "form_title": "Dépistage des voyageurs au point d'entrée",
        "form_id": SCREENING_FORM_ID,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${point}, ' ', ${screened_at})",
    }
    return {"survey": survey, "choices": choices, "settings": settings}


FOLLOWUP_VERSION = "2026120602"


def followup_visit_form() -> dict:
    """The follow-up visit form: the traveller chosen from `followup.csv` (the follow-ups open
    in the agent's area, made by the server per user: `intake_mappers.followup_csv`), whether
    they were reached, and if so their temperature and symptoms. Works offline: the list is
    downloaded with the form."""
    from hbmm.health.screening.models import TEMPERATURE_MAX, TEMPERATURE_MIN

    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "deviceid", "name": "deviceid"},
        _field(
            "select_one_from_file followup.csv",
            "followup",
            "Voyageur suivi",
            "Traveller followed",
            required="yes",
            appearance="search",
            **{
                HFR: "Les voyageurs en suivi dans votre zone (mis à jour à chaque "
                "téléchargement du formulaire).",
                HEN: "The travellers under follow-up in your area (updated each time the "
                "form is downloaded).",
            },
        ),
        _field(
            "date",
            "visited_on",
            "Date de la visite ou de l'appel",
            "Date of the visit or call",
            required="yes",
            default="today()",
            constraint=". <= today()",
            **server_messages(("The date is in the future.", None)),
        ),
        _field(
            "select_one yes_no",
            "reached",
            "Voyageur joint ?",
            "Traveller reached?",
            required="yes",
            appearance="horizontal",
            **{
                HFR: "Non : absent, pas de réponse (visite manquée).",
                HEN: "No: absent, no answer (a missed visit).",
            },
        ),
        _field(
            "decimal",
            "temperature",
            "Température mesurée (°C)",
            "Measured temperature (°C)",
            relevant="${reached} = 'yes'",
            **_range(TEMPERATURE_MIN, TEMPERATURE_MAX),
        ),
        _field(
            "select_multiple symptom",
            "symptoms",
            "Symptômes",
            "Symptoms",
            relevant="${reached} = 'yes'",
            **{
                HFR: "Un symptôme ou une fièvre (38 °C ou plus) alerte l'officier de "
                "surveillance : isoler le voyageur.",
                HEN: "A symptom or a fever (38 °C or more) alerts the surveillance officer: "
                "isolate the traveller.",
            },
        ),
        _field("text", "note", "Remarque", "Note"),
    ]
    # The same yes/no and symptom lists as the screening form's.
    choices = [c for c in screening_form()["choices"] if c["list_name"] in ("yes_no", "symptom")]
    settings = {
        "form_title": "Suivi des voyageurs (14 jours)",
        "form_id": "followup_visit",  # intake_mappers.FOLLOWUP_FORM_ID (a test checks)
        "version": FOLLOWUP_VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${followup}, ' ', ${visited_on})",
    }
    return {"survey": survey, "choices": choices, "settings": settings}


def write(path: Path, form: dict) -> Path:
    return write_xlsform(
        path, survey=form["survey"], choices=form["choices"], settings=form["settings"]
    )


def main() -> None:
    FORMS_DIR.mkdir(exist_ok=True)
    for form in (screening_form(), followup_visit_form()):
        print(write(FORMS_DIR / f"{form['settings']['form_id']}.xlsx", form))


if __name__ == "__main__":
    import django

    django.setup()
    main()
