"""Writes the XLSForm of the suspect-case follow-up (`intake/forms/suspect_case.xlsx`), with
the helpers of `xlsforms.py`:

    .venv/bin/python -m hbmm.health.screening.case_xlsform

One form for the six steps rather than one per step: the agent has one form to find on the
phone and one list of cases to choose from, and the steps of a case are recorded one after
the other in the same place (isolate, notify, then refer...); the step chosen shows its own
questions. Each sent form records one step (`intake_steps.SuspectCaseStepMapper`).

Works offline: the cases (`suspect_cases.csv`) and the facilities and laboratories
(`step_sites.csv`) are downloaded with the form. Its constraints are the server's checks that
the downloaded list can decide for sure: a step already recorded is not offered again, the
time is not in the future nor before the screening or the steps it follows as recorded at
download. What the list cannot know (a step recorded on the phone since, not yet sent) is
left to the server, which checks the order again and quarantines a step out of order.
"""

from hbmm.health.screening.xlsforms import FORMS_DIR, HEN, HFR, _choices, _field
from hbmm.health.screening.xlsforms import write as write_form

VERSION = "2026120601"
CASE = "instance('suspect_cases')/root/item[name=${case}]"


def _later(a: str, b: str) -> str:
    """The later of two day numbers (an XPath max of two values, which every client runs)."""
    return f"if({a} > {b}, {a}, {b})"


def _calculate(name: str, column: str) -> dict:
    return {"type": "calculate", "name": name, "calculation": f"{CASE}/{column}"}


def suspect_case_form() -> dict:
    step_is = "${step} = '%s'"
    # The time a step may not precede: the screening, and the notification (referral, sample,
    # outcome), the sample (result), the result (outcome), when recorded at download.
    not_before = (
        f"if({step_is % 'result'}, {_later('${t_screened}', '${t_sampled}')}, "
        f"if({step_is % 'close'}, "
        f"{_later('${t_screened}', _later('${t_notified}', '${t_result}'))}, "
        f"if({step_is % 'refer'} or {step_is % 'sample'}, "
        f"{_later('${t_screened}', '${t_notified}')}, ${{t_screened}})))"
    )
    survey = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "deviceid", "name": "deviceid"},
        _field(
            "select_one_from_file suspect_cases.csv",
            "case",
            "Cas suspect",
            "Suspect case",
            required="yes",
            appearance="autocomplete",
            **{
                HFR: "Les cas suspects ouverts de votre zone (clé du voyageur, point, heure du "
                "dépistage, étape atteinte), mis à jour à chaque téléchargement du formulaire.",
                HEN: "The open suspect cases in your area (traveller key, point, screening "
                "time, step reached), updated each time the form is downloaded.",
            },
        ),
        _calculate("point", "point"),
        _calculate("done", "done"),
        _calculate("t_screened", "t_screened"),
        _calculate("t_notified", "t_notified"),
        _calculate("t_sampled", "t_sampled"),
        _calculate("t_result", "t_result"),
        _field(
            "select_one step",
            "step",
            "Étape à enregistrer",
            "Step to record",
            required="yes",
            choice_filter="not(selected(${done}, name))",
            **{
                HFR: "Les étapes déjà enregistrées ne sont pas proposées. La référence et le "
                "prélèvement suivent la notification ; le résultat suit le prélèvement.",
                HEN: "Steps already recorded are not offered. Referral and sample come after "
                "the notification; the result after the sample.",
            },
        ),
        {"type": "calculate", "name": "not_before", "calculation": not_before},
        _field(
            "dateTime",
            "at",
            "Date et heure de l'étape",
            "Date and time of the step",
            required="yes",
            default="now()",
            constraint=". <= now() and decimal-date-time(.) >= ${not_before}",
            # The server's two refusals in one sentence: the form cannot name the step before.
            **{
                "constraint_message::French (fr)": "Ni dans le futur, ni avant le dépistage "
                "ou l'étape qui précède.",
                "constraint_message::English (en)": "Neither in the future nor before the "
                "screening or the step before.",
            },
        ),
        _field(
            "select_one_from_file step_sites.csv",
            "facility",
            "Formation sanitaire de référence",
            "Referral health facility",
            required="yes",
            relevant=step_is % "refer",
            appearance="autocomplete",
            choice_filter="selected(kinds, 'health_facility')",
        ),
        _field(
            "select_one transport",
            "transport",
            "Moyen de transport",
            "Transport",
            required="yes",
            relevant=step_is % "refer",
        ),
        _field(
            "select_one_from_file step_sites.csv",
            "lab",
            "Laboratoire destinataire du prélèvement",
            "Laboratory the sample goes to",
            required="yes",
            relevant=step_is % "sample",
            appearance="autocomplete",
            choice_filter="selected(kinds, 'lab')",
        ),
        _field(
            "select_one result",
            "result",
            "Résultat de laboratoire",
            "Lab result",
            required="yes",
            relevant=step_is % "result",
        ),
        _field(
            "select_one outcome",
            "outcome",
            "Issue",
            "Outcome",
            required="yes",
            relevant=step_is % "close",
            **{
                HFR: "Clôt le cas. Après un prélèvement, le résultat d'abord (sauf décès).",
                HEN: "Closes the case. After a sample, the result first (unless the "
                "traveller died).",
            },
        ),
    ]
    choices = (
        _choices(
            "step",
            [
                ("isolate", "Isolement", "Isolation"),
                ("notify", "Notification (courriel d'alerte)", "Notification (alert e-mail)"),
                ("refer", "Référence vers une formation sanitaire", "Referral to a facility"),
                ("sample", "Prélèvement", "Sample taken"),
                ("result", "Résultat de laboratoire", "Lab result"),
                ("close", "Issue (clôture du cas)", "Outcome (closes the case)"),
            ],
        )
        + _choices(
            "transport",
            [
                ("ambulance", "Ambulance", "Ambulance"),
                ("service_vehicle", "Véhicule de service", "Service vehicle"),
                ("private_vehicle", "Véhicule privé", "Private vehicle"),
                ("other", "Autre", "Other"),
            ],
        )
        + _choices(
            "result",
            [
                ("positive", "Positif", "Positive"),
                ("negative", "Négatif", "Negative"),
                ("inconclusive", "Non concluant", "Inconclusive"),
            ],
        )
        + _choices(
            "outcome",
            [
                ("released", "Libéré (pas un cas)", "Released (not a case)"),
                ("treated_home", "Traité à domicile", "Treated at home"),
                ("hospitalised", "Hospitalisé", "Hospitalised"),
                ("recovered", "Guéri", "Recovered"),
                ("died", "Décédé", "Died"),
                ("lost", "Perdu de vue", "Lost to follow-up"),
            ],
        )
    )
    settings = {
        "form_title": "Suivi d'un cas suspect",
        "form_id": "suspect_case",  # intake_steps.FORM_ID (a test checks)
        "version": VERSION,
        "default_language": "French (fr)",
        "instance_name": "concat(${case}, ' ', ${step}, ' ', ${at})",
    }
    return {"survey": survey, "choices": choices, "settings": settings}


def main() -> None:
    FORMS_DIR.mkdir(exist_ok=True)
    print(write_form(FORMS_DIR / "suspect_case.xlsx", suspect_case_form()))


if __name__ == "__main__":
    main()
