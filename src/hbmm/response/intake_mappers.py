"""The 4W activity report as an intake form and file-import kind (`activity_report`): one row
of the 4W matrix per submission or file row. The web upload (intake's file import) checks
every row and quarantines the bad ones with reasons naming the field; the good ones reach
`hbmm.response.services.activity_reports_save_batch`.

Columns (English or French names): month (YYYY-MM or a date in it), organisation (code; empty:
the submitter's own organisation, as the 4W XLSForm `activity_report` allows),
implementing_partner, indicator (code), area (P-code), site (code), status, value, women,
men, girls, boys, training_topic, participant_role, pre_test_score, post_test_score,
channel, note. The plan is the current plan (`selectors.current_plan`).
"""

import datetime as dt
import functools
import time
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.intake.cleaning import (
    _raw,
    clean_area,
    clean_decimal,
    clean_int,
    clean_site,
    clean_text,
    parse_date,
)
from hbmm.intake.mappers import (
    FieldError,
    Item,
    Mapper,
    MappingError,
    items_by_context,
    register,
)
from hbmm.places.lookups import Lookups
from hbmm.response import selectors, services
from hbmm.response.models import (
    ActivityReport,
    Channel,
    Expenditure,
    Indicator,
    Organisation,
    ParticipantRole,
    ReportingPeriod,
    Status,
)
from hbmm.text import normalise_name

_CACHE: dict = {}
_TTL = 5.0  # seconds: a batch of rows shares its lookups; a change is seen soon after


def _cached(name: str, signature, build):
    now = time.monotonic()
    entry = _CACHE.get(name)
    if entry is not None and now - entry[0] < _TTL:
        return entry[2]
    sig = signature()
    if entry is not None and entry[1] == sig:
        _CACHE[name] = (now, sig, entry[2])
        return entry[2]
    value = build()
    _CACHE[name] = (now, sig, value)
    return value


def clear_caches() -> None:
    _CACHE.clear()


def _lookups() -> dict:
    def build():
        plan = selectors.current_plan()
        return {
            "plan": plan,
            "indicators": {
                i.code.lower(): i
                for i in (
                    Indicator.objects.filter(plan=plan).select_related("activity__pillar")
                    if plan
                    else []
                )
            },
            "organisations": {o.code.lower(): o for o in Organisation.objects.all()},
            "periods": {
                p.month: p for p in (ReportingPeriod.objects.filter(plan=plan) if plan else [])
            },
        }

    def signature():
        return (
            tuple(Indicator.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
            tuple(Organisation.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
            tuple(
                ReportingPeriod.objects.aggregate(
                    n=Count("pk"), m=Max("pk"), locked=Max("locked_at")
                ).values()
            ),
        )

    return _cached("lookups", signature, build)


# Words accepted besides each choice's code and its English and French labels.
WORDS = {
    "session": ("seance", "sensibilisation", "causerie"),
    "radio": ("spot", "spot_radio", "emission_radio"),
    "iec": ("support_iec", "affiches", "flyers", "depliants"),
    "border_agents": ("agents_frontaliers", "agents_de_frontiere", "police_des_frontieres"),
    "health_agents": ("agents_sante", "agents_de_sante", "personnel_de_sante"),
    "community_focal_points": ("relais", "relais_communautaires", "points_focaux"),
    "traditional_healers": ("tradipraticiens", "guerisseurs"),
    "transporters": ("transporteurs", "chauffeurs"),
    "community_leaders": ("leaders", "leaders_communautaires", "chefs_de_village"),
    "officials": ("elus", "elus_municipaux", "autorites"),
    "completed": ("realise", "termine", "fait", "done"),
    "ongoing": ("en_cours",),
    "planned": ("planifie", "prevu"),
    "other": ("autre",),
}


# The choices as tuples, once (an enum's `choices` is built again at each read).
STATUS_CHOICES = tuple(Status.choices)
ROLE_CHOICES = tuple(ParticipantRole.choices)
CHANNEL_CHOICES = tuple(Channel.choices)


@functools.lru_cache(maxsize=32)
def _words(choices: tuple) -> dict[str, str]:
    words = {}
    for code, label in choices:
        for lang in ("en", "fr"):
            with translation.override(lang):
                words[normalise_name(str(label))] = code
        words[normalise_name(code)] = code
        for word in WORDS.get(code, ()):
            words[normalise_name(word)] = code
    return words


def _choice(data, name, errors, choices) -> str:
    value = _raw(data, name)
    if value is None:
        return ""
    code = _words(tuple(choices)).get(normalise_name(str(value)))
    if code is not None:
        return code
    errors.append(
        FieldError(
            name,
            value,
            _("Not one of %(choices)s.") % {"choices": ", ".join(c for c, _l in choices)},
        )
    )
    return ""


def _month(data, name, errors) -> dt.date | None:
    value = _raw(data, name)
    if value is None:
        errors.append(FieldError(name, None, _("This field is required.")))
        return None
    text = str(value).strip()
    try:
        if len(text) == 7 and text[4] == "-":
            return dt.date(int(text[:4]), int(text[5:]), 1)
        return parse_date(value).replace(day=1)
    except (ValueError, TypeError):
        errors.append(FieldError(name, value, _("Not a month (YYYY-MM).")))
        return None


def _items_save(save_batch, row, items: list[Item]) -> None:
    """Each item as the form's typed `row`, one batch save per context (submitter, sender,
    channel, demo flag)."""
    for ctx, group in items_by_context(items).items():
        rows = [
            row(submission_id=item.submission_id, existing=item.edited, **item.cleaned)
            for item in group
        ]
        save_batch(rows, ctx=ctx)


class ActivityReportMapper(Mapper):
    form_id = "activity_report"
    example = {
        "month": "2020-04",
        "organisation": "iom",
        "implementing_partner": "",
        "indicator": "coordination-meetings",
        "area": "ML0101",
        "site": "",
        "status": "completed",
        "value": "3",
        "women": "",
        "men": "",
        "girls": "",
        "boys": "",
        "participant_role": "",
        "channel": "",
        "note": "",
    }
    model = ActivityReport
    permission = "response.add_activityreport"
    title = gettext_lazy("Activity reports (4W)")
    site_field = "site"
    aliases = {
        "month": ("mois", "period", "periode", "période", "reporting_month", "date"),
        "organisation": ("organization", "org", "who", "qui", "partenaire", "partner"),
        "implementing_partner": ("partenaire_de_mise_en_oeuvre", "implementing", "impl"),
        "indicator": ("indicateur", "what", "quoi"),
        "area": ("pcode", "p_code", "admin_pcode", "zone", "ou", "where", "localite"),
        "site": ("site_code", "lieu"),
        "status": ("statut", "etat"),
        "value": ("valeur", "how_many", "combien", "reached", "touches", "total"),
        "women": ("femmes",),
        "men": ("hommes",),
        "girls": ("filles",),
        "boys": ("garcons", "garçons"),
        "training_topic": ("theme", "thème", "sujet", "topic", "theme_de_la_formation"),
        "participant_role": ("role", "rôle", "participants", "role_des_participants"),
        "pre_test_score": ("pre_test", "pretest", "score_pre_test"),
        "post_test_score": ("post_test", "posttest", "score_post_test"),
        "channel": ("canal", "type_de_sensibilisation"),
        "note": ("remarque", "commentaire", "observations"),
    }

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        places = lookups
        ref = _lookups()
        plan = ref["plan"]
        if plan is None:
            raise MappingError([FieldError("indicator", None, _("No response plan is loaded."))])
        month = _month(data, "month", errors)
        if _raw(data, "organisation") is None and _is_user(submitter):
            # left empty (the XLSForm allows it): the submitter's own organisation
            organisation = selectors.user_organisation(submitter)
            if organisation is None:
                errors.append(
                    FieldError(
                        "organisation",
                        None,
                        _("Give the organisation's code: you belong to none."),
                    )
                )
        else:
            organisation = self._by_code(data, "organisation", errors, ref["organisations"], True)
        partner = self._by_code(data, "implementing_partner", errors, ref["organisations"])
        indicator = self._by_code(data, "indicator", errors, ref["indicators"], True)
        area_value = _raw(data, "area")
        area = clean_area(data, "area", errors, places)
        site = None
        if _raw(data, "site") is not None:
            site = clean_site(data, "site", errors, places, submitter=submitter, on=month)
            if site is not None and area is None and area_value is None:
                area = site.area
        elif area is None and area_value is None:
            errors.append(FieldError("area", None, _("This field is required.")))
        values = {
            "organisation": organisation,
            "implementing_partner": partner,
            "indicator": indicator,
            "area": area,
            "site": site,
            "status": _choice(data, "status", errors, STATUS_CHOICES) or Status.COMPLETED,
            "value": clean_decimal(data, "value", errors, minimum=0),
            "women": clean_int(data, "women", errors, minimum=0),
            "men": clean_int(data, "men", errors, minimum=0),
            "girls": clean_int(data, "girls", errors, minimum=0),
            "boys": clean_int(data, "boys", errors, minimum=0),
            "training_topic": clean_text(data, "training_topic", errors, max_length=200),
            "participant_role": _choice(data, "participant_role", errors, ROLE_CHOICES),
            "pre_test_score": clean_decimal(data, "pre_test_score", errors, minimum=0, maximum=100),
            "post_test_score": clean_decimal(
                data, "post_test_score", errors, minimum=0, maximum=100
            ),
            "channel": _choice(data, "channel", errors, CHANNEL_CHOICES),
            "note": clean_text(data, "note", errors),
        }
        if values["value"] is None:
            parts = [values[n] for n in ("women", "men", "girls", "boys") if values[n] is not None]
            if parts:
                values["value"] = Decimal(sum(parts))
            elif not any(e.field == "value" for e in errors):
                errors.append(FieldError("value", None, _("This field is required.")))
        period = None
        if month is not None:
            period = ref["periods"].get(month)
            if period is None and not plan.start.replace(day=1) <= month <= plan.end:
                errors.append(
                    FieldError(
                        "month",
                        month.strftime("%Y-%m"),
                        _("Outside the plan's period (%(start)s to %(end)s).")
                        % {"start": plan.start, "end": plan.end},
                    )
                )
        if errors:
            raise MappingError(errors)
        if period is None and month is not None:
            period = services.period_get_or_create(plan=plan, month=month)
            ref["periods"][month] = period
        values["period"] = period
        check = services.activity_report_errors(values, by=submitter)
        if check:
            raise MappingError(FieldError(k, _raw(data, k), str(v)) for k, v in check.items())
        return values

    @staticmethod
    def _by_code(data, name, errors, table: dict, required: bool = False):
        value = _raw(data, name)
        if value is None:
            if required:
                errors.append(FieldError(name, None, _("This field is required.")))
            return None
        found = table.get(str(value).strip().lower())
        if found is None:
            errors.append(FieldError(name, value, _("Unknown code.")))
        return found

    def save(self, items: list[Item]) -> None:
        _items_save(services.activity_reports_save_batch, services.ActivityReportRow, items)


AMOUNT_LIMIT = Decimal("1e12")  # the column holds 12 digits before the point


def _amount(data, name, errors) -> Decimal | None:
    """An amount as finance exports write it: 12500, 12 500,50, 12,500.50, 12.500,50."""
    value = _raw(data, name)
    if value is None:
        errors.append(FieldError(name, None, _("This field is required.")))
        return None
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." in text:  # the first one separates thousands
        text = text.replace(",", "") if text.index(",") < text.index(".") else text
        text = text.replace(".", "").replace(",", ".") if "," in text else text
    elif text.count(",") == 1 and len(text.split(",")[1]) != 3:
        text = text.replace(",", ".")  # a decimal comma (1,5), not thousands (1,500)
    else:
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.append(FieldError(name, value, _("Not a number.")))
        return None
    if abs(number) >= AMOUNT_LIMIT or number != number.quantize(Decimal("0.01")):
        errors.append(
            FieldError(name, value, _("At most 12 digits before the point and 2 after it."))
        )
        return None
    return number.quantize(Decimal("0.01"))


def _pillars(plan) -> dict[str, object]:
    """The plan's pillars by code and by their names (French and English, normalised)."""
    found: dict[str, object] = {}
    for pillar in selectors.plan_pillars(plan=plan):
        for key in (pillar.code, pillar.name_fr, pillar.name_en):
            found[normalise_name(key)] = pillar
    return found


class ExpenditureMapper(Mapper):
    """Expenditure by pillar and month, from the finance system's export (file import only).
    Columns (English or French names): month (YYYY-MM or a date in it), pillar (its code or
    its name), amount (in the plan's currency), currency (optional: the plan's), reference
    (the finance line or voucher number: one import per line), note."""

    form_id = "expenditure"
    example = {
        "month": "2020-04",
        "pillar": "coordination",
        "amount": "1000",
        "currency": "",
        "reference": "V-0001",
        "note": "",
    }
    model = Expenditure
    permission = "response.add_expenditure"
    title = gettext_lazy("Expenditure by pillar (finance export)")
    aliases = {
        "month": ("mois", "period", "periode", "période", "date", "posting_month"),
        "pillar": ("pilier", "sector", "secteur", "budget_line", "ligne_budgetaire"),
        "amount": ("montant", "spent", "depense", "dépense", "depenses", "expenditure", "usd"),
        "currency": ("devise", "monnaie"),
        "reference": ("ref", "référence", "voucher", "piece", "pièce", "line", "ligne"),
        "note": ("remarque", "description", "libelle", "libellé", "commentaire"),
    }

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        plan = selectors.current_plan()
        if plan is None:
            raise MappingError([FieldError("pillar", None, _("No response plan is loaded."))])
        month = _month(data, "month", errors)
        pillar = None
        pillar_value = _raw(data, "pillar")
        if pillar_value is None:
            errors.append(FieldError("pillar", None, _("This field is required.")))
        else:
            pillar = _pillars(plan).get(normalise_name(str(pillar_value)))
            if pillar is None:
                errors.append(FieldError("pillar", pillar_value, _("Not a pillar of the plan.")))
        amount = _amount(data, "amount", errors)
        currency = _raw(data, "currency")
        if currency is not None and str(currency).strip().upper() != plan.currency:
            errors.append(
                FieldError(
                    "currency",
                    currency,
                    _("Give the amounts in the plan's currency (%(currency)s).")
                    % {"currency": plan.currency},
                )
            )
        values = {
            "plan": plan,
            "pillar": pillar,
            "month": month,
            "amount": amount,
            "reference": clean_text(data, "reference", errors, max_length=100),
            "note": clean_text(data, "note", errors, max_length=300),
        }
        if errors:
            raise MappingError(errors)
        check = services.expenditure_errors(values)
        if check:
            raise MappingError(FieldError(k, _raw(data, k), str(v)) for k, v in check.items())
        return values

    def save(self, items: list[Item]) -> None:
        _items_save(services.expenditures_save_batch, services.ExpenditureRow, items)


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def register_all() -> None:
    register(ActivityReportMapper())
    register(ExpenditureMapper())
