"""Writes the XLSForm of community feedback (openpyxl), so the form is reviewable as code:

    .venv/bin/python -m hbmm.feedback.xlsforms    # rewrites intake/forms/feedback.xlsx

For community focal points (after a household visit or an awareness session) and hotline
operators (during the call). Conventions of intake/forms (docs/forms.md): the file is
`<form_id>.xlsx`, form_id is the mapper's, field names are the mapper's canonical names,
labels `label::French (fr)` and `label::English (en)`, sites from `select_one_from_file
sites.csv`. Choice labels are the models' (English) and their French translation written here
(the form is read offline, without HBMM's catalogue). Bump VERSION when the form changes.
"""

from pathlib import Path

from hbmm.intake.form_messages import server_messages
from hbmm.intake.xlsform_writer import write_xlsform

FORM_ID = "feedback"  # the mapper's (hbmm.feedback.intake_mappers)
FORMS_DIR = Path(__file__).resolve().parents[1] / "intake" / "forms"
FR, EN = "label::French (fr)", "label::English (en)"
HFR, HEN = "hint::French (fr)", "hint::English (en)"
VERSION = "2026120601"

CHANNELS = [
    ("hotline", "Ligne verte", "Hotline"),
    ("focal_point", "Relais communautaire", "Community focal point"),
    ("session", "Séance de sensibilisation", "Awareness session"),
    ("social_media", "Réseaux sociaux", "Social media"),
    ("other", "Autre", "Other"),
]
SOURCE_TYPES = [
    ("community_member", "Membre de la communauté", "Community member"),
    ("migrant", "Migrant ou voyageur", "Migrant or traveller"),
    ("leader", "Leader communautaire ou religieux", "Community or religious leader"),
    ("health_worker", "Agent de santé", "Health worker"),
    ("transporter", "Transporteur ou chauffeur", "Transporter or driver"),
    ("authority", "Autorité locale", "Local authority"),
    ("unknown", "Inconnu", "Not known"),
]
KINDS = [
    ("rumour", "Rumeur", "Rumour"),
    ("question", "Question", "Question"),
    ("suggestion", "Suggestion", "Suggestion"),
    ("complaint", "Plainte", "Complaint"),
    ("praise", "Félicitation", "Praise"),
]
TOPICS = [
    ("symptoms", "Symptômes", "Symptoms"),
    ("prevention", "Prévention", "Prevention"),
    ("stigma", "Migrants et stigmatisation", "Migrants and stigma"),
    ("border_closure", "Fermeture des frontières", "Border closure"),
    ("services", "Services", "Services"),
    ("vaccination", "Vaccination", "Vaccination"),
    ("other", "Autre", "Other"),
]
SENSITIVITIES = [
    ("normal", "Normale", "Normal"),
    ("sensitive", "Sensible", "Sensitive"),
    ("restricted", "Restreinte (jamais publiée)", "Restricted (never published)"),
]


def _field(type_, name, fr, en, **extra):
    return {"type": type_, "name": name, FR: fr, EN: en} | extra


def _choices(list_name, rows):
    return [{"list_name": list_name, "name": n, FR: fr, EN: en} for n, fr, en in rows]


def feedback_form() -> dict:
    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "deviceid", "name": "deviceid"},
        _field(
            "dateTime",
            "received_at",
            "Date et heure de réception",
            "Date and time received",
            required="yes",
            default="now()",
            constraint=". <= now()",
            **server_messages(("The time is in the future.", None)),
        ),
        _field("select_one channel", "channel", "Canal", "Channel", required="yes"),
        _field("select_one_from_file sites.csv", "site", "Site (si connu)", "Site (if known)"),
        _field(
            "select_one_from_file areas.csv",
            "pcode",
            "Ou la région / le cercle",
            "Or the region / cercle",
            relevant="${site} = ''",
            required="${site} = ''",
            appearance="autocomplete",
            **{HFR: "Les zones de votre périmètre.", HEN: "The areas of your scope."},
        ),
        _field(
            "select_one source_type",
            "source_type",
            "De qui vient ce retour ?",
            "Who is it from?",
            required="yes",
            **{HFR: "Un type de personne, jamais un nom.", HEN: "A type of person, never a name."},
        ),
        _field(
            "select_one yes_no",
            "name_consent",
            "La personne accepte-t-elle de donner son nom ?",
            "Does the person agree to give their name?",
            appearance="horizontal",
        ),
        _field(
            "text",
            "source_name",
            "Nom (avec consentement)",
            "Name (with consent)",
            relevant="${name_consent} = 'yes'",
            **{HFR: "Donnée protégée (chiffrée).", HEN: "Protected (encrypted)."},
        ),
        _field(
            "text",
            "text",
            "Ce qui a été dit",
            "What was said",
            required="yes",
            appearance="multiline",
            **{
                HFR: "Les mots de la personne, sans nom ni détail qui l'identifie.",
                HEN: "The person's words, without a name or detail that identifies them.",
            },
        ),
        _field("select_one kind", "kind", "Type (si vous le savez)", "Type (if you know)"),
        _field("select_one topic", "topic", "Thème (si vous le savez)", "Topic (if you know)"),
        _field(
            "select_one sensitivity",
            "sensitivity",
            "Sensibilité",
            "Sensitivity",
            default="normal",
        ),
        _field(
            "integer",
            "signal",
            "Numéro du signal communautaire (s'il en est un)",
            "Community signal number (if it is one)",
            constraint=f". >= 1 and . <= {2**31 - 1}",
            **server_messages(("Must be at least %s.", 1), ("Must be at most %s.", 2**31 - 1)),
        ),
    ]
    choices = (
        _choices("channel", CHANNELS)
        + _choices("source_type", SOURCE_TYPES)
        + _choices("yes_no", [("yes", "Oui", "Yes"), ("no", "Non", "No")])
        + _choices("kind", KINDS)
        + _choices("topic", TOPICS)
        + _choices("sensitivity", SENSITIVITIES)
    )
    settings = {
        "form_title": "Retours communautaires (rumeurs, questions, plaintes)",
        "form_id": FORM_ID,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${channel}, ' ', ${received_at})",
    }
    return {"survey": survey, "choices": choices, "settings": settings}


def write(path: Path, form: dict) -> Path:
    return write_xlsform(
        path, survey=form["survey"], choices=form["choices"], settings=form["settings"]
    )


def main() -> None:
    form = feedback_form()
    print(write(FORMS_DIR / f"{form['settings']['form_id']}.xlsx", form))


if __name__ == "__main__":
    # The constraint messages are translated with the server's catalogues.
    import django

    django.setup()
    main()
