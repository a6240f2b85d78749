"""The 4W XLSForm (French and English), written with `hbmm.intake.xlsform_writer` to
src/hbmm/intake/forms/activity_report.xlsx (the shipped file; a test checks it is up to date,
converts with pyxform and names only the mapper's fields):

    .venv/bin/python -m hbmm.response.xlsforms    # rewrites intake/forms/activity_report.xlsx

One 4W row per instance, for partners in the field: the month, what (an indicator of the
shipped plan that partners report: computed indicators are not asked), where (a site from
`select_one_from_file sites.csv`, or an area's P-code), how many (by sex and age where the
indicator asks for it), and the fields of trainings and of risk communication, asked only for
the indicators that have them. The organisation may be left empty: it is then the submitter's
own (`hbmm.response.intake_mappers`); a partner can report only for their own. Every instance
goes through the same mapper and the same save service as the 4W file import, with the same
checks. Bump VERSION when the form (or the shipped plan's indicators) changes.
"""

import json
from pathlib import Path

from hbmm.intake.form_messages import server_messages

FORM_ID = "activity_report"  # the mapper's (hbmm.response.intake_mappers)
FORMS_DIR = Path(__file__).resolve().parents[1] / "intake" / "forms"
SHIPPED_PLAN = Path(__file__).resolve().parent / "data" / "iom-mali-covid19-sprp-2020.json"
FR, EN = "label::French (fr)", "label::English (en)"
CFR, CEN = "constraint_message::French (fr)", "constraint_message::English (en)"
HFR, HEN = "hint::French (fr)", "hint::English (en)"
VERSION = "2026120601"
# Constraint messages in the server's words (intake.cleaning's msgids, translated when written).
NOT_NEGATIVE = {"constraint": ". >= 0"} | server_messages(("Must be at least %s.", 0))
PERCENT = {"constraint": ". >= 0 and . <= 100"} | server_messages(
    ("Must be at least %s.", 0), ("Must be at most %s.", 100)
)

STATUSES = [
    ("completed", "Réalisé", "Completed"),
    ("ongoing", "En cours", "Ongoing"),
    ("planned", "Planifié", "Planned"),
]
ROLES = [
    ("border_agents", "Agents frontaliers", "Border agents"),
    ("health_agents", "Agents de santé", "Health agents"),
    ("community_focal_points", "Relais communautaires", "Community focal points"),
    ("traditional_healers", "Tradipraticiens", "Traditional healers"),
    ("transporters", "Transporteurs", "Transporters"),
    ("community_leaders", "Leaders communautaires", "Community leaders"),
    ("officials", "Élus municipaux", "Municipal officials"),
    ("other", "Autre", "Other"),
]
CHANNELS = [
    ("session", "Séance de sensibilisation", "Awareness session"),
    ("radio", "Spot radio", "Radio spot"),
    ("iec", "Support IEC", "IEC material"),
    ("other", "Autre", "Other"),
]


def reported_indicators(path: Path = SHIPPED_PLAN) -> list[dict]:
    """The shipped plan's indicators that partners report (not the computed ones), with their
    pillar's names, in the plan's order."""
    plan = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for priority in plan["priorities"]:
        for pillar in priority["pillars"]:
            for indicator in pillar.get("indicators") or []:
                if indicator.get("source", "reported") == "reported":
                    found.append({**indicator, "pillar": pillar["name"]})
    return found


def _field(type_, name, fr, en, **extra):
    return {"type": type_, "name": name, FR: fr, EN: en} | extra


def _one_of(codes: list[str]) -> str:
    """An XPath condition: the chosen indicator is one of `codes` (false() when none)."""
    return " or ".join(f"${{indicator}} = '{c}'" for c in codes) or "false()"


def activity_report_form() -> dict:
    indicators = reported_indicators()
    by_sex = [i["code"] for i in indicators if i.get("disaggregation") in ("sex", "sex_age")]
    by_age = [i["code"] for i in indicators if i.get("disaggregation") == "sex_age"]
    not_split = [i["code"] for i in indicators if i["code"] not in by_sex]
    trainings = [i["code"] for i in indicators if i.get("report_kind") == "training"]
    rcce = [i["code"] for i in indicators if i.get("report_kind") == "rcce"]
    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        _field(
            "date",
            "month",
            "Mois de l’activité",
            "Month of the activity",
            required="yes",
            appearance="month-year",
            constraint=". <= today()",
            **{CFR: "Le mois ne peut pas être futur.", CEN: "The month cannot be in the future."},
        ),
        _field(
            "text",
            "organisation",
            "Organisation (code)",
            "Organisation (code)",
            **{
                HFR: "Vide : votre organisation.",
                HEN: "Empty: your own organisation.",
            },
        ),
        _field(
            "text",
            "implementing_partner",
            "Partenaire de mise en œuvre (code, s’il y en a un)",
            "Implementing partner (code, if any)",
        ),
        _field("select_one indicator", "indicator", "Indicateur", "Indicator", required="yes"),
        _field(
            "select_one_from_file sites.csv", "site", "Site (si sur un site)", "Site (if at one)"
        ),
        _field(
            "select_one_from_file places.csv",
            "area",
            "Ou la région / le cercle",
            "Or the region / cercle",
            relevant="${site} = ''",
            required="${site} = ''",
            choice_filter="country = 'MLI'",
            appearance="autocomplete",
        ),
        _field("select_one status", "status", "Statut", "Status", default="completed"),
        _field(
            "decimal",
            "value",
            "Combien (valeur)",
            "How many (value)",
            relevant=_one_of(not_split),
            required="yes",
            **NOT_NEGATIVE,
        ),
        _field(
            "integer",
            "women",
            "Femmes",
            "Women",
            relevant=_one_of(by_sex),
            required="yes",
            **NOT_NEGATIVE,
        ),
        _field(
            "integer",
            "men",
            "Hommes",
            "Men",
            relevant=_one_of(by_sex),
            required="yes",
            **NOT_NEGATIVE,
        ),
        _field(
            "integer",
            "girls",
            "Filles",
            "Girls",
            relevant=_one_of(by_age),
            required="yes",
            **NOT_NEGATIVE,
        ),
        _field(
            "integer",
            "boys",
            "Garçons",
            "Boys",
            relevant=_one_of(by_age),
            required="yes",
            **NOT_NEGATIVE,
        ),
        _field(
            "text",
            "training_topic",
            "Thème de la formation",
            "Training topic",
            relevant=_one_of(trainings),
        ),
        _field(
            "select_one participant_role",
            "participant_role",
            "Rôle des participants",
            "Participants' role",
            relevant=_one_of(trainings),
            required="yes",
        ),
        _field(
            "decimal",
            "pre_test_score",
            "Score moyen au pré-test (%)",
            "Mean pre-test score (%)",
            relevant=_one_of(trainings),
            **PERCENT,
        ),
        _field(
            "decimal",
            "post_test_score",
            "Score moyen au post-test (%)",
            "Mean post-test score (%)",
            relevant=_one_of(trainings),
            **PERCENT,
        ),
        _field("select_one channel", "channel", "Canal", "Channel", relevant=_one_of(rcce)),
        _field("text", "note", "Remarque", "Note", appearance="multiline"),
    ]
    choices = (
        [
            {
                "list_name": "indicator",
                "name": i["code"],
                FR: f"{i['pillar']['fr']} — {i['name']['fr']}",
                EN: f"{i['pillar']['en']} — {i['name']['en']}",
            }
            for i in indicators
        ]
        + [{"list_name": "status", "name": n, FR: fr, EN: en} for n, fr, en in STATUSES]
        + [{"list_name": "participant_role", "name": n, FR: fr, EN: en} for n, fr, en in ROLES]
        + [{"list_name": "channel", "name": n, FR: fr, EN: en} for n, fr, en in CHANNELS]
    )
    settings = {
        "form_title": "Rapport d’activité (4W)",
        "form_id": FORM_ID,
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${indicator}, ' ', ${month})",
    }
    return {"survey": survey, "choices": choices, "settings": settings}


def write(path: Path | None = None) -> Path:
    from hbmm.intake.xlsform_writer import write_xlsform  # noqa: PLC0415  (openpyxl: only when writing)

    form = activity_report_form()
    return write_xlsform(path or FORMS_DIR / f"{FORM_ID}.xlsx", **form)


if __name__ == "__main__":
    # The constraint messages are translated with the server's catalogues.
    import django

    django.setup()
    print(write())
