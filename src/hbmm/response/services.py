"""Writes of the response app: the plan (import, targets), organisations and their members,
4W activity reports (one by one from the web, in batches from the intake pipeline), reporting
periods (lock, unlock) and contributions. Keyword-only arguments, one transaction each,
validation with errors naming the field, an audit event for each write.

Size: over 500 lines, in five sections (the plan and its import, organisations, reporting
periods, 4W reports, funding) that share the checks and the audit helpers; the plan's import
(`plan_import` and its readers, about 230 lines) is the seam to cut next (issue 15's module,
still being worked on).
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import audit_log
from hbmm.db import concrete_columns, dict_rows, insert_rows
from hbmm.intake.mappers import BatchContext, BatchResult, Row
from hbmm.places.models import AdminArea, Site
from hbmm.response.models import (
    Activity,
    ActivityReport,
    Contribution,
    Expenditure,
    Indicator,
    Membership,
    Organisation,
    Pillar,
    Plan,
    Priority,
    ReportingPeriod,
    Target,
    report_errors,
)
from hbmm.response.selectors import reader_organisations

SHIPPED_PLAN = Path(__file__).resolve().parent / "data" / "iom-mali-covid19-sprp-2020.json"


# --- The plan --------------------------------------------------------------------------------


class PlanFileError(ValueError):
    """A plan file that cannot be loaded; the message names the place of the problem."""


def _text(node: dict, key: str, where: str) -> dict[str, str]:
    value = node.get(key)
    if not isinstance(value, dict) or not value.get("en") or not value.get("fr"):
        raise PlanFileError(f"{where}.{key}: give the text in English and French ({{en, fr}})")
    return {"en": str(value["en"]), "fr": str(value["fr"])}


def _decimal(value, where: str, *, required: bool = True) -> Decimal | None:
    if value is None and not required:
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise PlanFileError(f"{where}: {value!r} is not a number") from exc
    if number < 0:
        raise PlanFileError(f"{where}: {value!r} is negative")
    return number


def _date(value, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PlanFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def plan_file_read(path: Path | str) -> dict:
    """The plan in a JSON file (the shape of data/iom-mali-covid19-sprp-2020.json)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"{path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise PlanFileError(f"{path}: the file holds no plan (an object with code, name...)")
    return data


def _upsert(model, changes: list, *, defaults: dict, **lookup):
    """`model.objects.update_or_create`, writing only when something differs; records in
    `changes` what was created or changed (so that loading the same plan again logs nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **defaults)
        changes.append(f"{model._meta.model_name}:{lookup} created")
        return obj, True
    differ = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if differ:
        for name in differ:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=differ)
        changes.append(f"{model._meta.model_name}:{lookup} {', '.join(differ)}")
    return obj, False


@transaction.atomic
def plan_import(*, data: dict, by=None) -> Plan:
    """Create or update the plan `data` describes (matched on its code): its priorities,
    pillars (requirements), activities, indicators and targets. A target that differs from
    the current one becomes a new version; nothing is deleted. Raises PlanFileError naming
    the place of the first problem; then nothing is written."""
    code = str(data.get("code") or "")
    if not code:
        raise PlanFileError("code: the plan needs a code")
    name = _text(data, "name", "plan")
    start, end = _date(data.get("start"), "start"), _date(data.get("end"), "end")
    if end < start:
        raise PlanFileError("end: the plan ends before it starts")
    changes: list[str] = []
    plan, created = _upsert(
        Plan,
        changes,
        code=code,
        defaults={
            "name_en": name["en"],
            "name_fr": name["fr"],
            "country_iso3": str(data.get("country") or "").upper()[:3],
            "start": start,
            "end": end,
            "currency": str(data.get("currency") or "USD").upper()[:3],
            "source": str(data.get("source") or "")[:300],
        },
    )
    total = Decimal(0)
    pillar_number = 0
    indicators = 0
    new_targets = 0
    for p_index, p_node in enumerate(data.get("priorities") or [], start=1):
        where = f"priorities[{p_index}]"
        title = _text(p_node, "title", where)
        priority, _c = _upsert(
            Priority,
            changes,
            plan=plan,
            number=int(p_node.get("number") or p_index),
            defaults={"title_en": title["en"], "title_fr": title["fr"]},
        )
        for pl_index, pl_node in enumerate(p_node.get("pillars") or [], start=1):
            pillar_number += 1
            pwhere = f"{where}.pillars[{pl_index}]"
            pname = _text(pl_node, "name", pwhere)
            requirement = _decimal(pl_node.get("requirement"), f"{pwhere}.requirement")
            assert requirement is not None
            total += requirement
            pillar, _c = _upsert(
                Pillar,
                changes,
                plan=plan,
                code=str(pl_node.get("code") or f"pillar-{pillar_number}"),
                defaults={
                    "priority": priority,
                    "number": pillar_number,
                    "name_en": pname["en"],
                    "name_fr": pname["fr"],
                    "requirement": requirement,
                },
            )
            activities = {}
            for a_index, a_node in enumerate(pl_node.get("activities") or [], start=1):
                awhere = f"{pwhere}.activities[{a_index}]"
                text = _text(a_node, "text", awhere)
                activity, _c = _upsert(
                    Activity,
                    changes,
                    pillar=pillar,
                    code=str(a_node.get("code") or f"activity-{a_index}"),
                    defaults={"number": a_index, "text_en": text["en"], "text_fr": text["fr"]},
                )
                activities[activity.code] = activity
            for i_index, i_node in enumerate(pl_node.get("indicators") or [], start=1):
                iwhere = f"{pwhere}.indicators[{i_index}]"
                found = activities.get(str(i_node.get("activity") or ""))
                if found is None:
                    raise PlanFileError(
                        f"{iwhere}.activity: {i_node.get('activity')!r} is not an activity of "
                        f"this pillar ({', '.join(activities) or 'none'})"
                    )
                iname, unit = _text(i_node, "name", iwhere), _text(i_node, "unit", iwhere)
                values = {
                    "kind": i_node.get("kind", Indicator.Kind.COUNT),
                    "disaggregation": i_node.get("disaggregation", Indicator.Disaggregation.NONE),
                    "report_kind": i_node.get("report_kind", Indicator.ReportKind.ACTIVITY),
                    "source": i_node.get("source", Indicator.Source.REPORTED),
                }
                choices = {
                    "kind": Indicator.Kind,
                    "disaggregation": Indicator.Disaggregation,
                    "report_kind": Indicator.ReportKind,
                    "source": Indicator.Source,
                }
                for field, enum in choices.items():
                    if values[field] not in enum.values:
                        raise PlanFileError(
                            f"{iwhere}.{field}: {values[field]!r} is not one of "
                            f"{', '.join(enum.values)}"
                        )
                indicator, _c = _upsert(
                    Indicator,
                    changes,
                    plan=plan,
                    code=str(i_node.get("code") or ""),
                    defaults={
                        "activity": found,
                        "name_en": iname["en"],
                        "name_fr": iname["fr"],
                        "unit_en": unit["en"],
                        "unit_fr": unit["fr"],
                        "computed_figure": str(i_node.get("computed_figure") or ""),
                        "baseline": _decimal(
                            i_node.get("baseline"), f"{iwhere}.baseline", required=False
                        ),
                        **values,
                    },
                )
                indicators += 1
                target = _decimal(i_node.get("target"), f"{iwhere}.target", required=False)
                if target is not None:
                    current = (
                        Target.objects.filter(indicator=indicator, area=None)
                        .order_by("-version")
                        .first()
                    )
                    if current is None or current.value != target:
                        _target_add(
                            indicator=indicator,
                            area=None,
                            value=target,
                            by=by,
                            note=str(i_node.get("target_note") or "")[:300],
                        )
                        new_targets += 1
                        changes.append(f"target:{indicator.code}")
    if pillar_number == 0:
        raise PlanFileError("priorities: the plan has no pillar")
    declared = _decimal(data.get("total_requirement"), "total_requirement", required=False)
    if declared is not None and declared != total:
        raise PlanFileError(
            f"total_requirement: {declared} is not the sum of the pillars' requirements ({total})"
        )
    if not changes:
        return plan  # the same plan loaded again: nothing changed, nothing logged
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"response.plan:{plan.code}",
        details={
            "created": created,
            "pillars": pillar_number,
            "indicators": indicators,
            "new_targets": new_targets,
            "requirement": str(total),
            "changes": changes[:50],
        },
    )
    return plan


def shipped_plan_load(*, by=None) -> Plan:
    """The plan shipped with HBMM (IOM Mali's 2020 plan), loaded or brought up to date."""
    return plan_import(data=plan_file_read(SHIPPED_PLAN), by=by)


def _target_add(*, indicator: Indicator, area: AdminArea | None, value: Decimal, by, note: str):
    last = Target.objects.filter(indicator=indicator, area=area).aggregate(v=Max("version"))["v"]
    return Target.objects.create(
        indicator=indicator,
        area=area,
        value=value,
        version=(last or 0) + 1,
        set_by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def target_set(
    *, indicator: Indicator, value: Decimal, by, area: AdminArea | None = None, note: str = ""
) -> Target:
    """A new version of the indicator's target (national, or for `area`), dated and signed;
    the versions before it stay (figures name the version they measure against)."""
    if value is None or value < 0:
        raise ValidationError({"value": _("A target is a number, zero or more.")})
    if indicator.kind == Indicator.Kind.PERCENTAGE and value > 100:
        raise ValidationError({"value": _("A percentage is at most 100.")})
    if indicator.kind == Indicator.Kind.YES_NO and value not in (0, 1):
        raise ValidationError({"value": _("Give 1 (yes) or 0 (no).")})
    # one writer at a time per indicator: the next version number is read, then written
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    target = _target_add(indicator=indicator, area=area, value=value, by=by, note=note)
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"response.target:{indicator.code}",
        details={
            "area": area.pcode if area else None,
            "value": str(value),
            "version": target.version,
            "note": note,
        },
    )
    return target


# --- Activities (edited on the web) ---------------------------------------------------------


def _activity_texts(text_en: str, text_fr: str) -> dict[str, str]:
    texts = {"text_en": (text_en or "").strip(), "text_fr": (text_fr or "").strip()}
    errors = {k: _("Give the activity's text.") for k, v in texts.items() if not v}
    if errors:
        raise ValidationError(errors)
    return texts


@transaction.atomic
def activity_create(*, pillar: Pillar, code: str, text_en: str, text_fr: str, by) -> Activity:
    """A new activity at the end of `pillar`'s list."""
    texts = _activity_texts(text_en, text_fr)
    code = (code or "").strip().lower()
    last = Activity.objects.filter(pillar=pillar).aggregate(n=Max("number"))["n"] or 0
    activity = Activity(pillar=pillar, code=code, number=last + 1, **texts)
    activity.full_clean()
    activity.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if _is_user(by) else None,
        target=f"response.activity:{pillar.plan.code}:{pillar.code}:{code}",
        details={"created": True, **texts},
    )
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, text_en: str, text_fr: str, by) -> Activity:
    """Change an activity's text (its code, pillar and indicators stay); the audit trail keeps
    the text before and after."""
    texts = _activity_texts(text_en, text_fr)
    activity = (
        Activity.objects.select_for_update().select_related("pillar__plan").get(pk=activity.pk)
    )
    before = {"text_en": activity.text_en, "text_fr": activity.text_fr}
    if before == texts:
        return activity
    for name, value in texts.items():
        setattr(activity, name, value)
    activity.save(update_fields=list(texts))
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if _is_user(by) else None,
        target=f"response.activity:{activity.pillar.plan.code}:{activity.pillar.code}:"
        f"{activity.code}",
        details={"before": before, "after": texts},
    )
    return activity


# --- Organisations ---------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, code: str, name: str, kind: str, acronym: str = "", by=None
) -> Organisation:
    organisation = Organisation(code=code, name=name, kind=kind, acronym=acronym)
    organisation.full_clean()
    organisation.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"response.organisation:{code}",
        details={"created": True, "kind": kind},
    )
    return organisation


@transaction.atomic
def membership_set(*, user, organisation: Organisation | None, by=None) -> None:
    """Make `user` a member of `organisation` (None: of none)."""
    Membership.objects.filter(user=user).delete()
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation)
    audit_log(
        action=AuditEvent.Action.PERMISSION_CHANGE,
        actor=by,
        target=f"user:{user.get_username()}",
        details={"organisation": organisation.code if organisation else None},
    )


# --- Reporting periods -----------------------------------------------------------------------


def period_get_or_create(*, plan: Plan, month: dt.date) -> ReportingPeriod:
    """The plan's reporting period of `month` (any day of it); the month must be in the plan."""
    first = month.replace(day=1)
    if first < plan.start.replace(day=1) or first > plan.end:
        raise ValidationError(
            {
                "period": _("%(month)s is outside the plan's period (%(start)s to %(end)s).")
                % {"month": first.strftime("%Y-%m"), "start": plan.start, "end": plan.end}
            }
        )
    period, _created = ReportingPeriod.objects.get_or_create(plan=plan, month=first)
    return period


@transaction.atomic
def period_lock(*, period: ReportingPeriod, by) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.locked_at is None:
        period.locked_at = timezone.now()
        period.locked_by = by
        period.save(update_fields=["locked_at", "locked_by"])
        audit_log(
            action=AuditEvent.Action.DATA_CHANGE,
            actor=by,
            target=f"response.period:{period.plan.code}:{period}",
            details={"locked": True, "rows": period.reports.count()},
        )
    return period


@transaction.atomic
def period_unlock(*, period: ReportingPeriod, by) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.locked_at is not None:
        period.locked_at = None
        period.locked_by = None
        period.save(update_fields=["locked_at", "locked_by"])
        audit_log(
            action=AuditEvent.Action.OVERRIDE,
            actor=by,
            target=f"response.period:{period.plan.code}:{period}",
            details={"locked": False},
        )
    return period


# --- 4W activity reports ---------------------------------------------------------------------

REPORT_FIELDS = (
    "period",
    "organisation",
    "implementing_partner",
    "indicator",
    "area",
    "site",
    "status",
    "value",
    "women",
    "men",
    "girls",
    "boys",
    "training_topic",
    "participant_role",
    "pre_test_score",
    "post_test_score",
    "channel",
    "note",
)


def _report_checks(report: ActivityReport, *, by, errors: dict) -> None:
    """The checks that depend on the writer: the period open, their scope, their organisation."""
    if report.period.is_locked:
        errors["period"] = _("The period %(period)s is locked: it accepts no change.") % {
            "period": str(report.period)
        }
    if report.indicator.plan_id != report.period.plan_id:
        errors["indicator"] = _("This indicator is not one of the period's plan.")
    if by is None:
        return
    scope = user_scope(by)
    if report.site is not None:
        if not scope.contains_site(report.site):
            errors["site"] = _("This site is outside your geographic scope.")
    elif not scope.contains_area(report.area):
        errors["area"] = _("This area is outside your geographic scope.")
    own = reader_organisations(by)
    if own is not None and report.organisation_id not in own:
        errors["organisation"] = _("You report only for your own organisation.")


@transaction.atomic
def activity_report_create(*, by, **values) -> ActivityReport:
    """One 4W row (web form). `values` are ActivityReport fields (REPORT_FIELDS)."""
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    (report,) = activity_reports_save(rows=[values], by=by)
    return report


def activity_report_errors(values: dict, *, by) -> dict:
    """The errors of one 4W row (`values`: ActivityReport fields), field by field: the row's
    invariants, the period open, the writer's scope and organisation. Empty when it is good."""
    report = ActivityReport(**{k: v for k, v in values.items() if not k.startswith("_")})
    errors = report_errors(report)
    _report_checks(report, by=by if _is_user(by) else None, errors=errors)
    return errors


@transaction.atomic
def activity_reports_save(
    *,
    rows: Sequence[dict],
    by,
    replace: Iterable[ActivityReport] = (),
    checked: bool = False,
) -> list[ActivityReport]:
    """Validate every row, then replace `replace` (the rows of a previous version of the same
    submission) and create the new ones. Any invalid row raises ValidationError naming the
    field (and the row number, when there are several); nothing is written then. A row may
    carry `_by`, the user it is attributed to (intake: each submission's actor). `checked`:
    the rows were checked one by one by `activity_report_errors` (the intake mapper); only the
    periods' locks are checked again, all at once, and the rows are written as values with
    one set-based insert (`hbmm.db.insert_rows`: a 4W file is tens of thousands of rows), not
    as model instances (the list returned is then empty)."""
    if checked:
        return _checked_reports_insert(rows, by=by, replace=replace)
    reports = []
    for number, row in enumerate(rows, start=1):
        values = dict(row)
        actor = values.pop("_by", by)
        actor = actor if _is_user(actor) else None
        report = ActivityReport(**values, entered_by=actor)
        errors = activity_report_errors(values, by=actor)
        if errors:
            if len(rows) > 1:
                errors = {f"row {number}: {k}": v for k, v in errors.items()}
            raise ValidationError(errors)
        reports.append(report)
    old = [r for r in replace if r.pk is not None]
    _locks_check({r.period_id for r in reports} | {r.period_id for r in old})
    if old:
        ActivityReport.objects.filter(pk__in=[r.pk for r in old]).delete()
    ActivityReport.objects.bulk_create(reports, batch_size=500)
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if _is_user(by) else None,
        target="response.activityreport",
        details={"created": len(reports), "replaced": len(old)},
    )
    return reports


def _locks_check(period_ids: set) -> None:
    locked = list(
        ReportingPeriod.objects.filter(pk__in=period_ids, locked_at__isnull=False).order_by("month")
    )
    if locked:
        raise ValidationError(
            {
                "period": _("The period %(period)s is locked: it accepts no change.")
                % {"period": str(locked[0])}
            }
        )


def _checked_reports_insert(
    rows: Sequence[dict], *, by, replace: Iterable[ActivityReport]
) -> list[ActivityReport]:
    values = []
    for row in rows:
        value = dict(row)
        actor = value.pop("_by", by)
        value["entered_by"] = actor if _is_user(actor) else None
        values.append(value)
    old = [r for r in replace if r.pk is not None]
    period_ids = {(v["period"].pk if "period" in v else v["period_id"]) for v in values}
    _locks_check(period_ids | {r.period_id for r in old})
    if old:
        ActivityReport.objects.filter(pk__in=[r.pk for r in old]).delete()
    columns = concrete_columns(ActivityReport)
    insert_rows(ActivityReport, columns, dict_rows(ActivityReport, columns, values))
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if _is_user(by) else None,
        target="response.activityreport",
        details={"created": len(values), "replaced": len(old)},
    )
    return []


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


# --- Funding ---------------------------------------------------------------------------------


@transaction.atomic
def contribution_create(
    *,
    plan: Plan,
    donor: Organisation,
    amount: Decimal,
    currency: str,
    signed_on: dt.date,
    by,
    rate: Decimal | None = None,
    rate_date: dt.date | None = None,
    pillar: Pillar | None = None,
    status: str = Contribution.Status.COMMITTED,
    reference: str = "",
) -> Contribution:
    """A donor's contribution. In the plan's currency the rate is 1; in another, `rate` (one
    unit of `currency` in the plan's currency) and its date are required."""
    currency = (currency or "").strip().upper()
    errors: dict = {}
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Give the currency's three-letter code (USD, EUR, XOF).")
    if currency == plan.currency:
        rate, rate_date = Decimal(1), rate_date or signed_on
    elif rate is None or rate <= 0:
        errors["rate"] = _("Give the exchange rate to %(currency)s.") % {"currency": plan.currency}
    elif rate_date is None:
        errors["rate_date"] = _("Give the date of the exchange rate.")
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount is more than zero.")
    if pillar is not None and pillar.plan_id != plan.pk:
        errors["pillar"] = _("This pillar is not one of the plan's.")
    if errors:
        raise ValidationError(errors)
    assert rate is not None and rate_date is not None
    contribution = Contribution(
        plan=plan,
        donor=donor,
        pillar=pillar,
        status=status,
        amount=amount,
        currency=currency,
        rate=rate,
        rate_date=rate_date,
        amount_plan=(amount * rate).quantize(Decimal("0.01")),
        signed_on=signed_on,
        reference=reference,
        entered_by=by if _is_user(by) else None,
    )
    contribution.full_clean()
    contribution.save()
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if _is_user(by) else None,
        target=f"response.contribution:{contribution.pk}",
        details={
            "donor": donor.code,
            "amount": str(amount),
            "currency": currency,
            "rate": str(rate),
            "pillar": pillar.code if pillar else None,
        },
    )
    return contribution


def expenditure_errors(values: dict) -> dict:
    """The errors of one expenditure line (`values`: plan, pillar, month, amount, reference,
    note), field by field; empty when it is good."""
    errors: dict = {}
    plan, pillar, month = values.get("plan"), values.get("pillar"), values.get("month")
    if pillar is not None and plan is not None and pillar.plan_id != plan.pk:
        errors["pillar"] = _("This pillar is not one of the plan's.")
    if (
        month is not None
        and plan is not None
        and not plan.start.replace(day=1) <= month <= plan.end
    ):
        errors["month"] = _("Outside the plan's period (%(start)s to %(end)s).") % {
            "start": plan.start,
            "end": plan.end,
        }
    reference = values.get("reference") or ""
    if (
        reference
        and plan is not None
        and Expenditure.objects.filter(plan=plan, reference=reference).exists()
    ):
        errors["reference"] = _("The line %(reference)s was already imported.") % {
            "reference": reference
        }
    return errors


@transaction.atomic
def expenditures_save(
    *, rows: Sequence[dict], by, replace: Iterable[Expenditure] = ()
) -> list[Expenditure]:
    """Expenditure lines (the finance system's export, through the intake pipeline's file
    import): each row's values checked again here (`expenditure_errors`), a reference given
    twice in the batch refused; then `replace` (the lines of a previous version of the same
    submission) removed and the new ones created, in one insert. Any bad row raises
    ValidationError naming the row and the field; nothing is written then."""
    lines, seen = [], set()
    old = [e for e in replace if e.pk is not None]
    old_refs = {(e.plan_id, e.reference) for e in old if e.reference}
    for number, row in enumerate(rows, start=1):
        values = dict(row)
        actor = values.pop("_by", by)
        errors = {
            k: v
            for k, v in expenditure_errors(values).items()
            if not (k == "reference" and (values["plan"].pk, values["reference"]) in old_refs)
        }
        key = (values["plan"].pk, values.get("reference") or "")
        if key[1] and key in seen:
            errors["reference"] = _("The line %(reference)s is twice in the file.") % {
                "reference": key[1]
            }
        seen.add(key)
        if errors:
            if len(rows) > 1:
                errors = {f"row {number}: {k}": v for k, v in errors.items()}
            raise ValidationError(errors)
        lines.append(Expenditure(**values, entered_by=actor if _is_user(actor) else None))
    if old:
        Expenditure.objects.filter(pk__in=[e.pk for e in old]).delete()
    Expenditure.objects.bulk_create(lines, batch_size=500)
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by if _is_user(by) else None,
        target="response.expenditure",
        details={
            "created": len(lines),
            "replaced": len(old),
            "amount": str(sum((e.amount for e in lines), Decimal(0))),
        },
    )
    return lines


# --- The intake pipeline's batch saves (issue 12) -----------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityReportRow(Row):
    """One `activity_report` form or file row, cleaned (and checked by
    `activity_report_errors`): a row of `activity_reports_save_batch`."""

    submission_id: int
    organisation: Organisation
    indicator: Indicator
    period: ReportingPeriod
    area: AdminArea
    value: Decimal
    status: str
    implementing_partner: Organisation | None = None
    site: Site | None = None
    women: int | None = None
    men: int | None = None
    girls: int | None = None
    boys: int | None = None
    training_topic: str = ""
    participant_role: str = ""
    pre_test_score: Decimal | None = None
    post_test_score: Decimal | None = None
    channel: str = ""
    note: str = ""
    existing: ActivityReport | None = None


@dataclass(frozen=True, slots=True)
class ExpenditureRow(Row):
    """One line of the finance export (`expenditure`), cleaned: a row of
    `expenditures_save_batch`."""

    submission_id: int
    plan: Plan
    pillar: Pillar
    month: dt.date
    amount: Decimal
    reference: str = ""
    note: str = ""
    existing: Expenditure | None = None


def _edits(
    rows: Sequence[ActivityReportRow] | Sequence[ExpenditureRow],
) -> tuple[list, BatchResult]:
    """The records the batch's edits replace, and what the batch does."""
    replace = [row.existing for row in rows if row.existing is not None]
    return replace, BatchResult(created=len(rows) - len(replace), updated=len(replace))


def activity_reports_save_batch(
    rows: Sequence[ActivityReportRow], *, ctx: BatchContext
) -> BatchResult:
    """4W activity reports from the intake pipeline (`activity_reports_save`, the rows
    checked already), attributed to `ctx.by`; an edit replaces its previous version's report."""
    replace, result = _edits(rows)
    activity_reports_save(
        rows=[{**row.fields(), "_by": ctx.by} for row in rows],
        by=None,
        replace=replace,
        checked=True,
    )
    return result


def expenditures_save_batch(rows: Sequence[ExpenditureRow], *, ctx: BatchContext) -> BatchResult:
    """Expenditure lines from the intake pipeline (`expenditures_save`), attributed to
    `ctx.by`; an edit replaces its previous version's line."""
    replace, result = _edits(rows)
    expenditures_save(
        rows=[{**row.fields(), "_by": ctx.by} for row in rows], by=None, replace=replace
    )
    return result
