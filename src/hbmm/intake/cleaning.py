"""Field cleaners shared by every mapper: each reads one field of a submission's data, returns
the clean value, and appends a FieldError (naming the field and the value) when it cannot.

    errors: list[FieldError] = []
    day = clean_date(data, "observation_date", errors, not_future=True)
    n = clean_int(data, "men", errors, minimum=0)
    if errors:
        raise MappingError(errors)

Choices come as codes (`clean_choice`, `clean_multi_choice`: case ignored) or, where forms and
files write them in French or English, as words too (`clean_word`, `clean_words`: accents and
case ignored; the words are data, `intake.aliases.word_table`). Countries are checked against
the one list of `places.countries` (`clean_country`, `clean_countries`). Sites and admin areas
are looked up in the batch's `places.lookups.Lookups` (`clean_site`, `clean_area`), which the
pipeline makes once per batch and hands to `Mapper.clean(..., lookups=)`; the submitter's scope
is checked in one place (`in_scope`).
"""

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.scope import user_scope
from hbmm.intake.mappers import FieldError
from hbmm.places.countries import country_code
from hbmm.places.lookups import Lookups, is_active_on
from hbmm.places.models import AdminArea, Site
from hbmm.text import normalise_name

EXCEL_EPOCH = dt.date(1899, 12, 30)


_BLANK = frozenset(("", "n/a", "NA"))


def _raw(data: dict, name: str):
    # Called for every field of every row (a million-row import): the common cases first.
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return None if value in _BLANK else value
    return value


def _unknown(message: str, suggestions: list[str]) -> str:
    """`message`, with the known places closest to what was written when there are some."""
    if not suggestions:
        return message
    return _("%(message)s Did you mean: %(suggestions)s?") % {
        "message": message,
        "suggestions": "; ".join(suggestions),
    }


def _missing(errors, name, required) -> None:
    if required:
        errors.append(FieldError(name, None, _("This field is required.")))


def clean_text(data: dict, name: str, errors: list, *, required=False, max_length=None) -> str:
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return ""
    text = str(value)
    if max_length and len(text) > max_length:
        errors.append(
            FieldError(name, text[:50], _("Too long (at most %d characters).") % max_length)
        )
    return text


def clean_int(
    data: dict, name: str, errors: list, *, required=False, minimum=None, maximum=None, default=None
) -> int | None:
    value = data.get(name)
    if type(value) is str and value.isdigit() and value.isascii():
        # Most cells of a file (a million-row import calls this several times a row): plain
        # digits, nothing to strip or convert first.
        number = int(value)
        if (minimum is None or number >= minimum) and (maximum is None or number <= maximum):
            return number
        return _int_checked(number, value, name, errors, minimum, maximum)
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return default
    try:
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            number = int(str(value).replace("\u202f", "").replace(" ", ""))
    except (TypeError, ValueError):
        errors.append(FieldError(name, value, _("Not a whole number.")))
        return default
    return _int_checked(number, value, name, errors, minimum, maximum)


def _int_checked(number: int, value, name: str, errors: list, minimum, maximum) -> int:
    if minimum is not None and number < minimum:
        errors.append(FieldError(name, value, _("Must be at least %s.") % minimum))
    if maximum is not None and number > maximum:
        errors.append(FieldError(name, value, _("Must be at most %s.") % maximum))
    return number


def clean_decimal(
    data: dict, name: str, errors: list, *, required=False, minimum=None, maximum=None
) -> Decimal | None:
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        errors.append(FieldError(name, value, _("Not a number.")))
        return None
    if minimum is not None and number < _decimal(minimum):
        errors.append(FieldError(name, value, _("Must be at least %s.") % minimum))
    if maximum is not None and number > _decimal(maximum):
        errors.append(FieldError(name, value, _("Must be at most %s.") % maximum))
    return number


@functools.lru_cache(maxsize=64)
def _decimal(bound) -> Decimal:
    return Decimal(str(bound))


def parse_date(value) -> dt.date:
    """ISO (2020-04-30, or an ISO datetime), dd/mm/yyyy, or an Excel serial/date cell."""
    if type(value) is str:
        return _date_of_text(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return _date_of_text(str(value))


@functools.lru_cache(maxsize=4096)
def _date_of_text(text: str) -> dt.date:
    # Kept: a file's rows share their days (a million-row history has a few thousand).
    text = text.strip()
    if "/" in text:
        day, month, year = text.split(" ")[0].split("/")
        year = int(year)
        return dt.date(year + 2000 if year < 100 else year, int(month), int(day))
    if text.isdigit() and len(text) <= 6:
        return EXCEL_EPOCH + dt.timedelta(days=int(text))
    return dt.date.fromisoformat(text[:10])


def parse_datetime(value) -> dt.datetime:
    """ISO 8601 (with or without offset; naive times are UTC, Mali's time) or dd/mm/yyyy hh:mm."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        if "/" in text:
            day_part, _sep, time_part = text.partition(" ")
            day = parse_date(day_part)
            hour, minute = (time_part or "00:00").split(":")[:2]
            moment = dt.datetime(day.year, day.month, day.day, int(hour), int(minute))
        else:
            moment = dt.datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def clean_date(
    data: dict, name: str, errors: list, *, required=False, not_future=False, today=None
) -> dt.date | None:
    """A date; `not_future`: not after `today` (the batch's `Lookups.today`, else read now)."""
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return None
    try:
        day = parse_date(value)
    except (TypeError, ValueError):
        errors.append(FieldError(name, value, _("Not a date (use YYYY-MM-DD or DD/MM/YYYY).")))
        return None
    if not_future and day > (today or timezone.now().date()):
        errors.append(FieldError(name, value, _("The date is in the future.")))
    return day


def clean_datetime(
    data: dict, name: str, errors: list, *, required=False, not_future=False
) -> dt.datetime | None:
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return None
    try:
        moment = parse_datetime(value)
    except (TypeError, ValueError):
        errors.append(FieldError(name, value, _("Not a date and time (use ISO 8601).")))
        return None
    if not_future and moment > timezone.now() + dt.timedelta(minutes=5):
        errors.append(FieldError(name, value, _("The time is in the future.")))
    return moment


def clean_choice(
    data: dict, name: str, errors: list, choices, *, required=False, default=""
) -> str:
    """A value among `choices` (codes, or a Django Choices class); case-insensitive."""
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return default
    codes = [c[0] if isinstance(c, tuple) else c for c in getattr(choices, "choices", choices)]
    text = str(value).strip().lower()
    for code in codes:
        if str(code).lower() == text:
            return code
    errors.append(
        FieldError(
            name, value, _("Unknown value; expected one of: %s.") % ", ".join(map(str, codes))
        )
    )
    return default


def clean_multi_choice(data: dict, name: str, errors: list, choices) -> list[str]:
    """A space-separated (XLSForm select_multiple) or ;/, separated list of codes."""
    value = _raw(data, name)
    if value is None:
        return []
    parts = _parts(value)
    codes = {
        str(c[0] if isinstance(c, tuple) else c).lower(): c[0] if isinstance(c, tuple) else c
        for c in getattr(choices, "choices", choices)
    }
    result = []
    for part in parts:
        code = codes.get(str(part).strip().lower())
        if code is None:
            errors.append(
                FieldError(
                    name,
                    part,
                    _("Unknown value; expected any of: %s.") % ", ".join(map(str, codes.values())),
                )
            )
        elif code not in result:
            result.append(code)
    return result


def _parts(value) -> list:
    """The values of a multiple answer: a list as it is, or a text's words separated by spaces,
    `;` or `,`."""
    if isinstance(value, list):
        return value
    return str(value).replace(";", " ").replace(",", " ").split()


@functools.cache
def _choice_codes(choices) -> dict[str, str]:
    return {normalise_name(c): c for c in choices.values}


def clean_word(
    data: dict, name: str, errors: list, choices, words: dict[str, str], *, required=False
) -> str:
    """A choice given by its code or one of `words` (normalised word -> code, French/English:
    `intake.aliases.word_table`), accents, case, spaces and punctuation ignored."""
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return ""
    key = normalise_name(str(value))
    code = _choice_codes(choices).get(key) or words.get(key)
    if code is None:
        errors.append(
            FieldError(
                name,
                value,
                _("Unknown value; expected one of: %s.") % ", ".join(choices.values),
            )
        )
        return ""
    return code


def clean_words(data: dict, name: str, errors: list, choices, words: dict[str, str]) -> list[str]:
    """Several choices (`clean_word` each), separated by spaces, `;` or `,`; each once."""
    value = _raw(data, name)
    if value is None:
        return []
    result = []
    for part in _parts(value):
        code = clean_word({name: part}, name, errors, choices, words)
        if code and code not in result:
            result.append(code)
    return result


def clean_country(data: dict, name: str, errors: list, *, required=False) -> str:
    """A country: its ISO3 code or its French or English name (`places.countries`)."""
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return ""
    code = country_code(str(value))
    if code is None:
        errors.append(FieldError(name, value, _("Unknown country (use an ISO3 code, e.g. MLI).")))
        return ""
    return code


def clean_countries(data: dict, name: str, errors: list) -> list[str]:
    """Several countries (`clean_country` each), separated by spaces, `;` or `,`; each once."""
    value = _raw(data, name)
    if value is None:
        return []
    result = []
    for part in _parts(value):
        code = clean_country({name: part}, name, errors)
        if code and code not in result:
            result.append(code)
    return result


def clean_bool(data: dict, name: str, errors: list, *, required=False, default=None) -> bool | None:
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return default
    text = str(value).strip().lower()
    if text in {"1", "yes", "oui", "true", "vrai", "y", "o"}:
        return True
    if text in {"0", "no", "non", "false", "faux", "n"}:
        return False
    errors.append(FieldError(name, value, _("Expected yes or no.")))
    return default


def in_scope(submitter, *, site=None, area=None) -> bool:
    """Whether the submitter may report for `site` (or for all of `area`): the one check of
    intake's cleaners (`Scope.contains_site`, `Scope.contains_area`). No submitter: a system
    channel (a pull an administrator configured), which may."""
    if submitter is None:
        return True
    scope = user_scope(submitter)
    return scope.contains_site(site) if site is not None else scope.contains_area(area)


def clean_site(
    data: dict,
    name: str,
    errors: list,
    lookups: Lookups,
    *,
    submitter=None,
    kinds: tuple[str, ...] = (),
    on: dt.date | None = None,
    required=True,
    by_name=False,
) -> Site | None:
    """A site by its code (or, `by_name`, its French or English name: DTM exports name the
    point) from the batch's `lookups`: known, of one of `kinds`, active `on` that day, in the
    submitter's scope."""
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return None
    site = lookups.site(value, by_name=by_name)
    if site is None:
        errors.append(
            FieldError(
                name,
                value,
                _unknown(
                    _("Unknown site code."),
                    [f"{s.name} ({s.code})" for s in lookups.site_suggestions(value)],
                ),
            )
        )
        return None
    if kinds and lookups.site_kinds(site).isdisjoint(kinds):
        errors.append(FieldError(name, value, _("This site is not a %s.") % " / ".join(kinds)))
    if not is_active_on(site, on):
        errors.append(FieldError(name, value, _("This site was not active on %s.") % on))
    if not in_scope(submitter, site=site):
        errors.append(FieldError(name, value, _("This site is outside your geographic scope.")))
    return site


def clean_area(
    data: dict, name: str, errors: list, lookups: Lookups, *, levels=None, required=False
) -> AdminArea | None:
    """An admin area by its P-code, of one of `levels` (AdminArea.Level) when given."""
    value = _raw(data, name)
    if value is None:
        _missing(errors, name, required)
        return None
    area = lookups.area(value)
    if area is None:
        errors.append(
            FieldError(
                name,
                value,
                _unknown(
                    _("Unknown P-code."),
                    [f"{a.name} ({a.pcode})" for a in lookups.area_suggestions(value)],
                ),
            )
        )
        return None
    if levels is not None and area.level not in levels:
        errors.append(
            FieldError(
                name,
                value,
                _("Expected a P-code of level %s.") % " / ".join(str(level) for level in levels),
            )
        )
    return area


def check_area_scope(errors: list, name: str, area: AdminArea | None, submitter) -> None:
    """Add an error when the submitter may not report for all of `area`."""
    if area is not None and not in_scope(submitter, area=area):
        errors.append(
            FieldError(name, area.pcode, _("This area is outside your geographic scope."))
        )
