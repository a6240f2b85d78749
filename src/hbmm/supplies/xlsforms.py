"""The supplies XLSForms (French and English), written with `hbmm.intake.xlsform_writer` to
src/hbmm/intake/forms/<form_id>.xlsx (the shipped files; a test checks they are up to date,
convert with pyxform and name only the mappers' fields):

    .venv/bin/python -m hbmm.supplies.xlsforms    # rewrites intake/forms/supplies_*.xlsx

Sites come from `select_one_from_file sites.csv` (generated per user by intake, choice name =
site code); items from the catalogue (data/items.csv). Bump VERSION when a form changes.
"""

import csv
from pathlib import Path

from hbmm.intake.form_messages import server_messages

FORMS_DIR = Path(__file__).resolve().parents[1] / "intake" / "forms"
ITEMS_FILE = Path(__file__).resolve().parent / "data" / "items.csv"
FR, EN = "label::French (fr)", "label::English (en)"
CFR, CEN = "constraint_message::French (fr)", "constraint_message::English (en)"
HFR, HEN = "hint::French (fr)", "hint::English (en)"
VERSION = "2026120601"
# Constraint messages in the server's words (intake.cleaning's msgids, translated when written).
AT_LEAST_0 = ("Must be at least %s.", 0)
NOT_FUTURE = {"constraint": ". <= today()"} | server_messages(("The date is in the future.", None))
NOT_NEGATIVE = {"constraint": ". >= 0"} | server_messages(AT_LEAST_0)
PEOPLE = {"constraint": ". >= 0 and . <= 100000"} | server_messages(
    AT_LEAST_0, ("Must be at most %s.", 100000)
)
# Sites that hold stock: points of entry, MRRCs, IDP sites, offices.
HOLDER_SITES = (
    "contains(kinds, 'bcp') or contains(kinds, 'itp') or contains(kinds, 'cordon') or "
    "contains(kinds, 'mrrc') or contains(kinds, 'idp_site') or contains(kinds, 'office')"
)


def _field(type_, name, fr, en, **extra):
    return {"type": type_, "name": name, FR: fr, EN: en} | extra


SITE = _field(
    "select_one_from_file sites.csv",
    "site",
    "Site",
    "Site",
    required="yes",
    choice_filter=HOLDER_SITES,
    **{HFR: "Le site qui reçoit ou distribue", HEN: "The site that receives or distributes"},
)


def _settings(title: str, form_id: str, instance: str) -> dict:
    return {
        "form_title": title,
        "form_id": form_id,
        "version": VERSION,
        "instance_name": instance,
        "default_language": "French (fr)",
    }


def receipt_form() -> dict:
    survey = [
        _field("start", "start", "", ""),
        _field("end", "end", "", ""),
        SITE,
        _field(
            "text",
            "transfer",
            "Numéro du transfert (sur la lettre de transport, ex. T12)",
            "Transfer number (on the waybill, e.g. T12)",
            required="yes",
            constraint="regex(., '^[Tt]?[0-9]+$')",
            **{CFR: "Un numéro comme T12.", CEN: "A number such as T12."},
        ),
        _field(
            "date",
            "received_on",
            "Date de réception",
            "Date received",
            required="yes",
            default="today()",
            **NOT_FUTURE,
        ),
        _field(
            "integer",
            "quantity_received",
            "Quantité reçue (comptée à l'arrivée)",
            "Quantity received (counted on arrival)",
            required="yes",
            **NOT_NEGATIVE,
        ),
        _field(
            "text",
            "shortfall_reason",
            "Si moins que sur la lettre de transport\u202f: pourquoi\u202f?",
            "If less than on the waybill: why?",
            **{
                HFR: "Ce qui manque est enregistré comme perte, avec ce motif.",
                HEN: "What is missing is recorded as a loss, with this reason.",
            },
        ),
        _field("text", "note", "Observations", "Notes"),
    ]
    return {
        "survey": survey,
        "choices": [],
        "settings": _settings(
            "Réception d'approvisionnements / Receipt of supplies",
            "supplies_receipt",
            "concat(${site}, ' T', ${transfer})",
        ),
    }


def _items() -> list[dict]:
    with open(ITEMS_FILE, encoding="utf-8") as handle:
        return [
            {"list_name": "item", "name": row["code"], FR: row["name_fr"], EN: row["name_en"]}
            for row in csv.DictReader(handle)
        ]


def distribution_form() -> dict:
    count = {"relevant": "", **PEOPLE}
    survey = [
        _field("start", "start", "", ""),
        _field("end", "end", "", ""),
        SITE,
        _field(
            "date",
            "distributed_on",
            "Date de la distribution",
            "Date of the distribution",
            required="yes",
            default="today()",
            **NOT_FUTURE,
        ),
        _field("select_one item", "item", "Article", "Item", required="yes"),
        _field(
            "integer",
            "quantity",
            "Quantité distribuée",
            "Quantity distributed",
            required="yes",
            constraint=". >= 1",
            **server_messages(("Must be at least %s.", 1)),
        ),
        _field("text", "batch", "Lot (si indiqué)", "Batch (if marked)"),
        _field("begin_group", "people", "Personnes atteintes", "People reached"),
        _field("integer", "men", "Hommes", "Men", **count),
        _field("integer", "women", "Femmes", "Women", **count),
        _field("integer", "boys", "Garçons", "Boys", **count),
        _field("integer", "girls", "Filles", "Girls", **count),
        _field("end_group", "", "", ""),
    ]
    for row in survey:
        if row.get("relevant") == "":
            del row["relevant"]
    return {
        "survey": survey,
        "choices": _items(),
        "settings": _settings(
            "Distribution d'approvisionnements / Distribution of supplies",
            "supplies_distribution",
            "concat(${site}, ' ', ${item}, ' ', ${distributed_on})",
        ),
    }


FORMS = {"supplies_receipt": receipt_form, "supplies_distribution": distribution_form}


def write_all() -> list[Path]:
    from hbmm.intake.xlsform_writer import write_xlsform  # noqa: PLC0415  (openpyxl: only when writing)

    return [
        write_xlsform(FORMS_DIR / f"{form_id}.xlsx", **build()) for form_id, build in FORMS.items()
    ]


if __name__ == "__main__":
    # The constraint messages are translated with the server's catalogues.
    import django

    django.setup()
    for path in write_all():
        print(path)
