"""Writes the XLSForm of community signals (openpyxl) with the screening form's helpers:

.venv/bin/python -m hbmm.health.ebs.xlsforms    # rewrites intake/forms/signal.xlsx
"""

from hbmm.health.screening.xlsforms import (
    CEN,
    CFR,
    FORMS_DIR,
    HEN,
    HFR,
    NOT_FUTURE,
    VERSION,
    _choices,
    _field,
    write,
)


def signal_form() -> dict:
    # Imported here: run as a script, Django is set up (below) before models are imported.
    from hbmm.health.ebs.intake_mappers import FORM_ID as SIGNAL_FORM_ID  # noqa: PLC0415

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
            "text",
            "reporter",
            "Code du relais communautaire",
            "Community focal point key",
            required="yes",
            **{HFR: "Par exemple CFP-001.", HEN: "For example CFP-001."},
        ),
        _field(
            "dateTime",
            "reported_at",
            "Date et heure du signalement",
            "Date and time of the report",
            required="yes",
            default="now()",
            **NOT_FUTURE,
        ),
        _field(
            "dateTime",
            "detected_at",
            "Quand l'avez-vous appris ?",
            "When did you first hear of it?",
            constraint=". <= ${reported_at}",
            **{CFR: "Avant le signalement.", CEN: "Before the report."},
        ),
        _field("select_one kind", "kind", "Type de signal", "Type of signal", required="yes"),
        _field("select_one_from_file sites.csv", "site", "Site (si connu)", "Site (if known)"),
        _field(
            "text",
            "pcode",
            "Ou P-code de la commune / du cercle",
            "Or P-code of the area",
            relevant="${site} = ''",
            required="${site} = ''",
            constraint="regex(., '^[A-Z]{2}[0-9]{2,8}$')",
            **{CFR: "Un P-code, par exemple ML0103.", CEN: "A P-code, for example ML0103."},
        ),
        _field("geopoint", "location", "Position GPS (facultatif)", "GPS position (optional)"),
        _field(
            "integer",
            "people_affected",
            "Personnes touchées",
            "People affected",
            constraint=". >= 0",
            **{CFR: "Zéro ou plus.", CEN: "Zero or more."},
        ),
        _field("text", "description", "Description", "Description", appearance="multiline"),
    ]
    settings = {
        "form_title": "Signal communautaire (surveillance à base communautaire)",
        "form_id": SIGNAL_FORM_ID,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${kind}, ' ', ${reported_at})",
    }
    return {"survey": survey, "choices": _choices("kind", kinds), "settings": settings}


def main() -> None:
    FORMS_DIR.mkdir(exist_ok=True)
    form = signal_form()
    print(write(FORMS_DIR / f"{form['settings']['form_id']}.xlsx", form))


if __name__ == "__main__":
    import django

    django.setup()
    main()
