"""Writes the XLSForms of community signals and of their verification in the field (openpyxl)
with the screening form's helpers:

.venv/bin/python -m hbmm.health.ebs.xlsforms    # rewrites intake/forms/signal.xlsx and
                                                # intake/forms/signal_verification.xlsx
"""

from hbmm.health.screening.xlsforms import (
    FORMS_DIR,
    HEN,
    HFR,
    NOT_FUTURE,
    _choices,
    _field,
    write,
)
from hbmm.intake.xlsform_writer import server_messages

# Its own version since the reporter and the place became lists (December 2026).
VERSION = "2026120601"


def signal_form() -> dict:
    # Imported here: run as a script, Django is set up (below) before models are imported.
    from hbmm.health.ebs.intake_mappers import FORM_ID as SIGNAL_FORM_ID  # noqa: PLC0415
    from hbmm.health.ebs.selectors import FOCAL_POINTS_CSV  # noqa: PLC0415

    kinds = [
        ("sick_traveller", "Voyageur malade", "Sick traveller"),
        ("fever_cough_cluster", "Groupe de cas de fièvre ou de toux", "Cluster of fever or cough"),
        ("unexplained_deaths", "Décès inexpliqués", "Unexplained deaths"),
        ("animal_deaths", "Animaux malades ou morts", "Sick or dead animals"),
        ("rumour", "Rumeur", "Rumour"),
        ("other", "Autre", "Other"),
    ]
    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "deviceid", "name": "deviceid"},
        _field(
            f"select_one_from_file {FOCAL_POINTS_CSV}",
            "reporter",
            "Relais communautaire",
            "Community focal point",
            required="yes",
            appearance="autocomplete",
            **{
                HFR: "Les relais actifs de votre zone (code et nom).",
                HEN: "The active focal points of your area (key and name).",
            },
        ),
        _field(
            "dateTime",
            "reported_at",
            "Date et heure du signalement",
            "Date and time of the report",
            required="yes",
            default="now()",
            constraint=". <= now()",
            **server_messages(("The time is in the future.", None)),
        ),
        _field(
            "dateTime",
            "detected_at",
            "Quand l'avez-vous appris ?",
            "When did you first hear of it?",
            constraint=". <= ${reported_at} and . <= now()",
            **server_messages(("The detection cannot be after the report.", None)),
        ),
        _field("select_one kind", "kind", "Type de signal", "Type of signal", required="yes"),
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
        _field("geopoint", "location", "Position GPS (facultatif)", "GPS position (optional)"),
        _field(
            "integer",
            "people_affected",
            "Personnes touchées",
            "People affected",
            constraint=". >= 0 and . <= 1000000",
            **server_messages(("Must be at least %s.", 0), ("Must be at most %s.", 1000000)),
        ),
        _field("text", "description", "Description", "Description", appearance="multiline"),
    ]
    settings = {
        "form_title": "Signal communautaire / Community health signal",
        "form_id": SIGNAL_FORM_ID,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${kind}, ' ', ${reported_at})",
    }
    return {"survey": survey, "choices": _choices("kind", kinds), "settings": settings}


def verification_form() -> dict:
    """The officer's form: which signal, when verified, true or false, and for a true one the
    date of emergence (first case or first sign) as the verification established it."""
    # Imported here: run as a script, Django is set up (below) before models are imported.
    from hbmm.health.ebs.intake_mappers import VERIFICATION_FORM_ID  # noqa: PLC0415

    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "deviceid", "name": "deviceid"},
        _field(
            "text",
            "signal",
            "Numéro du signal",
            "Signal number",
            required="yes",
            constraint="regex(., '^(SIG-?)?[0-9]+$')",
            **{
                HFR: "Tel qu'affiché dans HBMM, par exemple SIG-00012.",
                HEN: "As HBMM shows it, for example SIG-00012.",
            },
            **server_messages(("No signal with this number in your geographic scope.", None)),
        ),
        _field(
            "dateTime",
            "verified_at",
            "Date et heure de la vérification",
            "Date and time of the verification",
            required="yes",
            default="now()",
            **NOT_FUTURE,
        ),
        _field(
            "select_one result",
            "result",
            "Le signal est-il confirmé ?",
            "Is the signal confirmed?",
            required="yes",
        ),
        _field(
            "text",
            "verifier_name",
            "Vérifié par (nom)",
            "Verified by (name)",
            required="yes",
        ),
        _field(
            "date",
            "emerged_on",
            "Date d'émergence (premier cas ou premier signe)",
            "Date of emergence (first case or first sign)",
            relevant="${result} = 'true'",
            constraint=". <= today()",
            **{
                HFR: "Début des signes du premier cas, ou premier signe (décès, animaux).",
                HEN: "Onset of the first case, or the first sign (deaths, animals).",
            },
            **server_messages(("The date is in the future.", None)),
        ),
        _field(
            "select_one emergence",
            "emergence_kind",
            "Cette date est celle du",
            "This date is the",
            relevant="${emerged_on} != ''",
            required="${emerged_on} != ''",
        ),
        _field("text", "note", "Observations", "Notes", appearance="multiline"),
    ]
    choices = _choices(
        "result",
        [("true", "Oui, confirmé", "Yes, confirmed"), ("false", "Non", "No")],
    ) + _choices(
        "emergence",
        [
            ("first_case", "Premier cas (début des signes)", "First case (onset of symptoms)"),
            (
                "first_sign",
                "Premier signe (décès, animaux malades, rumeur)",
                "First sign (deaths, sick animals, rumour)",
            ),
        ],
    )
    settings = {
        "form_title": "Vérification d'un signal communautaire",
        "form_id": VERIFICATION_FORM_ID,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${signal}, ' ', ${verified_at})",
    }
    return {"survey": survey, "choices": choices, "settings": settings}


def main() -> None:
    FORMS_DIR.mkdir(exist_ok=True)
    for form in (signal_form(), verification_form()):
        print(write(FORMS_DIR / f"{form['settings']['form_id']}.xlsx", form))


if __name__ == "__main__":
    import django

    django.setup()
    main()
