"""Returnees of the displacement rounds (DTM mobility tracking): IDP returnees (former IDPs back
in their area) and returnees from abroad (nationals back from another country), each with counts
per origin (an area of the country by P-code; a country by ISO3).

`returnee_errors` is the check the model (`DisplacementFigure.clean`) and the intake mapper
share; `clean_returnees` reads the returnee columns of a `displacement` form or file, the
origin columns named by a prefix and a code (`idp_returnees_ML0601`, `rapatries_NER`), the
prefixes being data (`prefixes` in `data/intake_aliases.json`).
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from hbmm.intake.aliases import alias_data
from hbmm.intake.cleaning import _raw, clean_int
from hbmm.intake.mappers import FieldError
from hbmm.places.countries import country_code
from hbmm.places.lookups import Lookups
from hbmm.text import normalise_name

ALIASES = Path(__file__).resolve().parent / "data" / "intake_aliases.json"


def returnee_errors(values: dict) -> dict:
    """field -> message: IDP returnees and returnees from abroad add up to the returnees, and
    the counts per origin (area P-code; country ISO3) to their returnees."""
    errors: dict[str, object] = {}
    idp, abroad, total = (
        values.get("idp_returnees"),
        values.get("returnees_abroad"),
        values.get("returnees"),
    )
    if (idp is None) != (abroad is None):
        field = "returnees_abroad" if abroad is None else "idp_returnees"
        errors[field] = _("Give both IDP returnees and returnees from abroad, or neither.")
    elif idp is not None and total is not None and idp + abroad != total:
        errors["returnees"] = _(
            "IDP returnees and returnees from abroad add up to %(n)s, not to %(total)s."
        ) % {"n": idp + abroad, "total": total}
    for field, count_field in (
        ("idp_returnee_origins", "idp_returnees"),
        ("abroad_returnee_origins", "returnees_abroad"),
    ):
        counts = values.get(field) or {}
        if any(not isinstance(v, int) or v < 0 for v in counts.values()):
            errors[field] = _("Counts cannot be negative.")
        elif counts and values.get(count_field) is None:
            errors[field] = _("Counts per origin without their returnees.")
        elif counts and sum(counts.values()) != values.get(count_field):
            errors[field] = _("Returnees per origin add up to %(n)s, not to %(total)s.") % {
                "n": sum(counts.values()),
                "total": values.get(count_field),
            }
    return errors


# Returnees per origin: `<prefix><code>` columns, the prefixes data (`prefixes` of the aliases
# file): `idp_returnees_ML0601` (IDP returnees from that area), `rapatries_NER` (from abroad).
ORIGIN_PREFIXES = {
    field: sorted((normalise_name(p) for p in names), key=len, reverse=True)
    for field, names in alias_data(ALIASES)["prefixes"]["displacement"].items()
}


def _origin_columns(data: dict, known: frozenset) -> dict[str, list[tuple[str, list[str]]]]:
    """field -> [(column, what follows each prefix it starts with, longest prefix first)] of
    the columns counting returnees per origin (the form's own fields are never such columns)."""
    found: dict[str, list[tuple[str, list[str]]]] = {f: [] for f in ORIGIN_PREFIXES}
    for key in data:
        if key in known:
            continue
        name = normalise_name(key)
        for field, prefixes in ORIGIN_PREFIXES.items():
            rests = [name.removeprefix(p) for p in prefixes if name.startswith(p) and name != p]
            if rests:
                found[field].append((key, rests))
                break
    return found


def clean_returnees(data: dict, errors: list, lookups: Lookups, known: frozenset) -> dict:
    """Returnees of a displacement row: IDP returnees and returnees from abroad (both or
    neither), the returnees (their sum; filled when missing) and the counts per origin (an
    area of Mali by P-code; a country by ISO3 or name), which add up to their returnees."""
    errors_before = len(errors)
    counts: dict[str, int | None] = {
        "returnees": clean_int(data, "returnees", errors, minimum=0),
        "idp_returnees": clean_int(data, "idp_returnees", errors, minimum=0),
        "returnees_abroad": clean_int(data, "returnees_abroad", errors, minimum=0),
    }
    origins: dict[str, dict[str, int]] = {"idp_returnee_origins": {}, "abroad_returnee_origins": {}}
    home = settings.HBMM_COUNTRY_ISO3

    def area_code(rest: str) -> str | None:
        area = lookups.area(rest)
        if area is None or area.level == 0 or area.country_iso3 != home:
            return None
        return area.pcode

    def country(rest: str) -> str | None:
        iso3 = country_code(rest)
        return iso3 if iso3 != home else None

    columns = _origin_columns(data, known)
    for field, resolve, message in (
        ("idp_returnee_origins", area_code, _("Not the P-code of an area of %s.") % home),
        ("abroad_returnee_origins", country, _("Not a country other than %s.") % home),
    ):
        for column, rests in columns[field]:
            code = next((c for c in map(resolve, rests) if c is not None), None)
            if code is None:
                errors.append(FieldError(column, rests[-1].upper(), message))
                continue
            n = clean_int(data, column, errors, minimum=0)
            if n:
                origins[field][code] = origins[field].get(code, 0) + n
    for field, count in (
        ("idp_returnee_origins", "idp_returnees"),
        ("abroad_returnee_origins", "returnees_abroad"),
    ):
        if origins[field] and counts[count] is None and _raw(data, count) is None:
            counts[count] = sum(origins[field].values())
    idp, abroad = counts["idp_returnees"], counts["returnees_abroad"]
    if idp is not None and abroad is not None and counts["returnees"] is None:
        counts["returnees"] = idp + abroad
    values = {**counts, **origins}
    if len(errors) == errors_before:  # the totals are checked once each column is right
        for field, message in returnee_errors(values).items():
            errors.append(FieldError(field, values.get(field), message))
    return values
