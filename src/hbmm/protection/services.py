"""Writes of protection records: keyword-only, one transaction each, permission and record
rules checked on every write, each audited and written to the case's history.

Size: over 500 lines because every write of a case goes through the same permission, record
rule, history and audit helpers (`_require`, `_event`, `_audit_change`), which is what makes the
rules hold for each; the temporary sites' writes (CCCM, at the end) are the seam to cut when the
module grows (issue 14's module, still being worked on).
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.scope import site_in_scope
from hbmm.accounts.services import audit_log
from hbmm.crypto import pseudonym
from hbmm.intake.mappers import BatchContext, BatchResult, Row
from hbmm.places.models import Site
from hbmm.protection import selectors
from hbmm.protection.models import (
    AgeGroup,
    Assistance,
    Case,
    CaseAccess,
    CaseEvent,
    Need,
    ProtectionTeam,
    Referral,
    ReferralPathway,
    ServiceProvider,
    ServiceType,
    Sex,
    SiteMonitoring,
    VoluntaryReturn,
    Vulnerability,
)

GLASS_HOURS = 4
IDP_SITE_KIND = "idp_site"
CASE_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
# Who may move a referral from one status to another, and to what.
RECIPIENT_MOVES: dict[str, tuple[str, ...]] = {
    Referral.Status.IN_PROGRESS: (Referral.Status.ACCEPTED, Referral.Status.REJECTED),
    Referral.Status.ACCEPTED: (Referral.Status.DONE,),
}
REVOCABLE = (Referral.Status.IN_PROGRESS, Referral.Status.ACCEPTED)
CASE_MOVES: dict[str, tuple[str, ...]] = {
    Case.Status.OPEN: (Case.Status.ACTIVE, Case.Status.CLOSED),
    Case.Status.ACTIVE: (Case.Status.CLOSED,),
    Case.Status.CLOSED: (Case.Status.ACTIVE,),  # reopened
}


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _event(case: Case, kind: str, by, *, reason: str = "", **details) -> None:
    CaseEvent.objects.create(case=case, kind=kind, by=by, reason=reason, details=details)


def _audit_change(by, case: Case, what: str, **details) -> None:
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"protection.case:{case.pk}",
        details={"case_key": case.case_key, "change": what, **details},
    )


def _new_case_key() -> str:
    while True:
        key = "PC-" + "".join(secrets.choice(CASE_KEY_ALPHABET) for _ in range(8))
        if not Case.objects.filter(case_key=key).exists():
            return key


def _codes(values, choices, field: str) -> list[str]:
    values = list(dict.fromkeys(v for v in values if v))
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise ValidationError({field: _("Unknown value: %s") % ", ".join(unknown)})
    return values


def _person_key(name: str, document_number: str, phone: str) -> str:
    if not (name or document_number or phone):
        return ""
    return pseudonym(name, document_number or phone, prefix="P")


@transaction.atomic
def case_register(
    *,
    by: User,
    site: Site,
    identified_on: dt.date,
    name: str = "",
    phone: str = "",
    document_number: str = "",
    sex: str = Sex.UNKNOWN,
    age_group: str = AgeGroup.UNKNOWN,
    nationality: str = "",
    vulnerabilities: list[str] = (),  # type: ignore[assignment]
    needs: list[str] = (),  # type: ignore[assignment]
    consent_services: bool = False,
    consent_disclosure: bool = False,
    consent_statistics: bool = False,
    consent_on: dt.date | None = None,
    team: ProtectionTeam | None = None,
    stranded_group_id: int | None = None,
    is_gbv: bool | None = None,
) -> Case:
    """Register a case identified at `site` by `by`, who becomes its owner."""
    _require(by, "protection.add_case")
    if not site_in_scope(by, site):
        raise PermissionDenied
    if team is not None and not team.members.filter(pk=by.pk).exists():
        raise ValidationError({"team": _("You are not a member of this team.")})
    vulnerabilities = _codes(vulnerabilities, Vulnerability, "vulnerabilities")
    if identified_on > timezone.localdate():
        raise ValidationError({"identified_on": _("The date is in the future.")})
    any_consent = consent_services or consent_disclosure or consent_statistics
    case = Case(
        case_key=_new_case_key(),
        person_key=_person_key(name, document_number, phone),
        name=name.strip(),
        phone=phone.strip(),
        document_number=document_number.strip(),
        sex=sex,
        age_group=age_group,
        nationality=nationality.strip().upper(),
        site=site,
        identified_on=identified_on,
        identified_by=by,
        stranded_group_id=stranded_group_id,
        vulnerabilities=vulnerabilities,
        needs=_codes(needs, Need, "needs"),
        is_gbv=Vulnerability.GBV in vulnerabilities if is_gbv is None else is_gbv,
        consent_services=consent_services,
        consent_disclosure=consent_disclosure,
        consent_statistics=consent_statistics,
        consent_on=(consent_on or identified_on) if any_consent else None,
        consent_recorded_by=by if any_consent else None,
        owner=by,
        team=team,
    )
    case.full_clean(exclude=["stranded_group"])
    case.save()
    _event(case, CaseEvent.Kind.CREATED, by, site=site.code)
    _audit_change(by, case, "created")
    return case


EDITABLE = (
    "name",
    "phone",
    "document_number",
    "sex",
    "age_group",
    "nationality",
    "vulnerabilities",
    "needs",
    "is_gbv",
)


@transaction.atomic
def case_update(*, by: User, case: Case, **changes) -> Case:
    """Change what is known of the person. Identifiers are changed only by a reader of them;
    the history names the fields changed, never their values."""
    _require(by, "protection.change_case")
    case = selectors.case_find(user=by, case_key=case.case_key)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if any(f in changes for f in selectors.IDENTIFIER_FIELDS) and not (
        selectors.can_read_identifiers(by, case)
    ):
        raise PermissionDenied
    if case.anonymised_at is not None and any(changes.get(f) for f in selectors.IDENTIFIER_FIELDS):
        raise ValidationError({"name": _("The identifiers of this case were removed.")})
    if "vulnerabilities" in changes:
        changes["vulnerabilities"] = _codes(
            changes["vulnerabilities"], Vulnerability, "vulnerabilities"
        )
        if Vulnerability.GBV in changes["vulnerabilities"]:
            changes["is_gbv"] = True  # a GBV survivor's case is always restricted
    if "needs" in changes:
        changes["needs"] = _codes(changes["needs"], Need, "needs")
    if "nationality" in changes:
        changes["nationality"] = changes["nationality"].strip().upper()
    lifting_gbv = "is_gbv" in changes and not changes["is_gbv"] and case.is_gbv
    if lifting_gbv and not by.has_perm("protection.view_gbv_case"):
        raise PermissionDenied  # lifting the restriction is the GBV team's decision
    changed = [f for f, v in changes.items() if getattr(case, f) != v]
    for field, value in changes.items():
        setattr(case, field, value.strip() if isinstance(value, str) else value)
    if any(f in changed for f in selectors.IDENTIFIER_FIELDS):
        case.person_key = _person_key(case.name, case.document_number, case.phone)
    case.updated_at = timezone.now()
    case.full_clean(exclude=["stranded_group"])
    case.save()
    if changed:
        _event(case, CaseEvent.Kind.CHANGED, by, fields=sorted(changed))
        _audit_change(by, case, "changed", fields=sorted(changed))
    return case


@transaction.atomic
def case_consent_set(
    *,
    by: User,
    case: Case,
    services: bool,
    disclosure: bool,
    statistics: bool,
    on: dt.date,
) -> Case:
    """Record the person's consent as given (or withdrawn) on `on`, and who recorded it."""
    _require(by, "protection.change_case")
    case = selectors.case_find(user=by, case_key=case.case_key)
    if on > timezone.localdate():
        raise ValidationError({"consent_on": _("The date is in the future.")})
    case.consent_services = services
    case.consent_disclosure = disclosure
    case.consent_statistics = statistics
    case.consent_on = on
    case.consent_recorded_by = by
    case.updated_at = timezone.now()
    case.save()
    given: dict[str, Any] = {
        "services": services,
        "disclosure": disclosure,
        "statistics": statistics,
    }
    _event(case, CaseEvent.Kind.CONSENT, by, on=on.isoformat(), **given)
    _audit_change(by, case, "consent", **given)
    return case


@transaction.atomic
def case_transfer(
    *, by: User, case: Case, to: User, reason: str, team: ProtectionTeam | None = None
) -> Case:
    """Give the case to another officer (and team), with a reason."""
    _require(by, "protection.transfer_case")
    case = selectors.case_find(user=by, case_key=case.case_key)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    if not (to.is_active and to.has_perm("protection.change_case")):
        raise ValidationError({"to": _("This user cannot hold protection cases.")})
    if not site_in_scope(to, case.site):
        raise ValidationError({"to": _("The case's site is outside this user's scope.")})
    if team is not None and not team.members.filter(pk=to.pk).exists():
        raise ValidationError({"team": _("The new owner is not a member of this team.")})
    before = case.owner.get_username()
    case.owner = to
    if team is not None:
        case.team = team
    case.updated_at = timezone.now()
    case.save()
    _event(
        case,
        CaseEvent.Kind.TRANSFER,
        by,
        reason=reason.strip(),
        before=before,
        after=to.get_username(),
    )
    _audit_change(by, case, "transfer", before=before, after=to.get_username())
    return case


@transaction.atomic
def case_status_set(
    *, by: User, case: Case, status: str, closure_reason: str = "", on: dt.date | None = None
) -> Case:
    """Move the case open -> active -> closed (with a reason); a closed case may be reopened.
    `on`: the day it was closed, if not today (not before the case was identified)."""
    _require(by, "protection.change_case")
    case = selectors.case_find(user=by, case_key=case.case_key)
    if status not in CASE_MOVES.get(case.status, ()):
        raise ValidationError(
            {
                "status": _("A case cannot go from %(from)s to %(to)s.")
                % {"from": case.get_status_display(), "to": status}
            }
        )
    if status == Case.Status.CLOSED:
        if closure_reason not in Case.ClosureReason.values:
            raise ValidationError({"closure_reason": _("Give the reason for closing.")})
        if on is not None and not case.identified_on <= on <= timezone.localdate():
            raise ValidationError({"on": _("The day is before the case or in the future.")})
        case.closure_reason = closure_reason
        case.closed_on = on or timezone.localdate()
    else:
        case.closure_reason = ""
        case.closed_on = None
    before = case.status
    case.status = status
    case.updated_at = timezone.now()
    case.save()
    _event(case, CaseEvent.Kind.STATUS, by, before=before, after=status, reason=closure_reason)
    _audit_change(by, case, "status", before=before, after=status)
    return case


@transaction.atomic
def case_break_glass(*, by: User, case_key: str, reason: str, request=None) -> CaseAccess:
    """Open a case of one's geographic scope that the record rules hide (another team's, or a
    GBV case), for GLASS_HOURS, with a written reason: audited as an override and written in
    the case's history."""
    _require(by, "protection.break_glass")
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Write the reason (at least 10 characters).")})
    case = selectors.case_in_geographic_scope(user=by, case_key=case_key)
    now = timezone.now()
    access = CaseAccess.objects.create(
        case=case,
        user=by,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + dt.timedelta(hours=GLASS_HOURS),
    )
    _event(case, CaseEvent.Kind.BREAK_GLASS, by, reason=reason.strip())
    audit_log(
        action=AuditEvent.Action.OVERRIDE,
        actor=by,
        target=f"protection.case:{case.pk}",
        details={"case_key": case.case_key, "break_glass": reason.strip(), "hours": GLASS_HOURS},
        request=request,
    )
    return access


@transaction.atomic
def referral_create(
    *,
    by: User,
    case: Case,
    provider: ServiceProvider,
    service_type: str,
    shared: list[str] = (),  # type: ignore[assignment]
    note: str = "",
    due_on: dt.date | None = None,
    override_reason: str = "",
    at: dt.datetime | None = None,
) -> Referral:
    """Refer the case to `provider` for `service_type`. Without the person's consent to
    services and to disclosure the referral is refused, unless a user allowed to override
    (`protection.override_consent`) writes why: the override is audited and shown on the case.
    `at`: when it was made, if not now (a referral entered afterwards, the demonstration)."""
    _require(by, "protection.add_referral")
    case = selectors.case_find(user=by, case_key=case.case_key)
    if case.status == Case.Status.CLOSED:
        raise ValidationError({"case": _("The case is closed.")})
    if not provider.is_active or service_type not in provider.service_types:
        raise ValidationError({"service_type": _("This provider does not offer this service.")})
    shared = _codes(shared, Referral.Shared, "shared")
    if at is not None and (at > timezone.now() or timezone.localdate(at) < case.identified_on):
        raise ValidationError(
            {"at": _("The time is before the case was identified or in the future.")}
        )
    override = not case.has_referral_consent
    override_reason = override_reason.strip()
    if override:
        if not override_reason:
            raise ValidationError(
                {
                    "override_reason": _(
                        "The person has not consented to services and disclosure: a referral "
                        "needs that consent, or an override with a written reason."
                    )
                }
            )
        if not by.has_perm("protection.override_consent"):
            raise PermissionDenied
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The follow-up date is in the past.")})
    referral = Referral.objects.create(
        case=case,
        provider=provider,
        service_type=service_type,
        shared=shared,
        note=note.strip(),
        due_on=due_on,
        consent_override=override,
        override_reason=override_reason if override else "",
        created_by=by,
        created_at=at or timezone.now(),
    )
    if case.status == Case.Status.OPEN:
        case.status = Case.Status.ACTIVE
        case.save(update_fields=["status"])
    details: dict[str, Any] = {
        "referral": referral.pk,
        "provider": provider.code,
        "service": service_type,
    }
    _event(case, CaseEvent.Kind.REFERRAL, by, status=referral.status, **details)
    _audit_change(by, case, "referral", **details)
    if override:
        _event(case, CaseEvent.Kind.OVERRIDE, by, reason=override_reason, **details)
        audit_log(
            action=AuditEvent.Action.OVERRIDE,
            actor=by,
            target=f"protection.case:{case.pk}",
            details={
                "case_key": case.case_key,
                "consent_override": override_reason,
                "consent": {
                    "services": case.consent_services,
                    "disclosure": case.consent_disclosure,
                },
                **details,
            },
        )
    return referral


@transaction.atomic
def referral_respond(
    *,
    by: User,
    referral: Referral,
    status: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Referral:
    """The recipient accepts, rejects (with a reason) or completes a referral (`at`: when, if
    not now; not before the referral was made)."""
    _require(by, "protection.respond_referral")
    referral = (
        Referral.objects.select_for_update().select_related("case", "provider").get(pk=referral.pk)
    )
    if not selectors.is_recipient(by, referral):
        raise PermissionDenied
    if status not in RECIPIENT_MOVES.get(referral.status, ()):
        raise ValidationError(
            {
                "status": _("A referral cannot go from %(from)s to %(to)s.")
                % {"from": referral.get_status_display(), "to": status}
            }
        )
    if status == Referral.Status.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is rejected.")})
    if at is not None and (at < referral.created_at or at > timezone.now()):
        raise ValidationError({"at": _("The time is before the referral or in the future.")})
    return _referral_move(by, referral, status, reason, at=at)


@transaction.atomic
def referral_revoke(*, by: User, referral: Referral, reason: str) -> Referral:
    """The referring side withdraws a referral still open, with a reason."""
    _require(by, "protection.add_referral")
    referral = (
        Referral.objects.select_for_update().select_related("case", "provider").get(pk=referral.pk)
    )
    selectors.case_find(user=by, case_key=referral.case.case_key)
    if referral.status not in REVOCABLE:
        raise ValidationError(
            {"status": _("Only a referral in progress or accepted can be revoked.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is revoked.")})
    return _referral_move(by, referral, Referral.Status.REVOKED, reason)


def _referral_move(
    by, referral: Referral, status: str, reason: str, *, at: dt.datetime | None = None
) -> Referral:
    before = referral.status
    now = at or timezone.now()
    referral.status = status
    referral.status_reason = reason.strip()
    referral.updated_by = by
    if status == Referral.Status.ACCEPTED:
        referral.accepted_at = now
    if status in (Referral.Status.REJECTED, Referral.Status.DONE, Referral.Status.REVOKED):
        referral.closed_at = now
    referral.save()
    details = {"referral": referral.pk, "before": before, "after": status}
    _event(referral.case, CaseEvent.Kind.REFERRAL, by, reason=reason.strip(), **details)
    _audit_change(by, referral.case, "referral_status", **details)
    return referral


@transaction.atomic
def assistance_record(
    *,
    by: User,
    case: Case,
    kind: str,
    given_on: dt.date,
    value: Decimal | None = None,
    note: str = "",
) -> Assistance:
    _require(by, "protection.add_assistance")
    case = selectors.case_find(user=by, case_key=case.case_key)
    if kind not in Assistance.Kind.values:
        raise ValidationError({"kind": _("Unknown value: %s") % kind})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date is in the future.")})
    if value is not None and value < 0:
        raise ValidationError({"value": _("The value cannot be negative.")})
    assistance = Assistance.objects.create(
        case=case, kind=kind, given_on=given_on, given_by=by, value=value, note=note.strip()
    )
    _event(case, CaseEvent.Kind.ASSISTANCE, by, assistance=kind, on=given_on.isoformat())
    _audit_change(by, case, "assistance", assistance=kind)
    return assistance


RETURN_FIELDS = (
    "kind",
    "destination_country",
    "travel_document",
    "consular_contact_on",
    "fit_to_travel_on",
    "departure_on",
    "route",
    "arrived_on",
    "reintegration_referral",
)


@transaction.atomic
def voluntary_return_set(*, by: User, case: Case, **values) -> VoluntaryReturn:
    """Create or update the case's voluntary return (or humanitarian corridor)."""
    _require(by, "protection.change_case")
    case = selectors.case_find(user=by, case_key=case.case_key)
    unknown = set(values) - set(RETURN_FIELDS)
    if unknown:
        raise TypeError(f"not return fields: {sorted(unknown)}")
    record = VoluntaryReturn.objects.filter(case=case).first() or VoluntaryReturn(case=case)
    for field, value in values.items():
        if field == "destination_country":
            value = (value or "").strip().upper()
        setattr(record, field, value)
    record.updated_by = by
    record.full_clean()
    record.save()
    _event(case, CaseEvent.Kind.RETURN, by, fields=sorted(values))
    _audit_change(by, case, "voluntary_return", fields=sorted(values))
    return record


@transaction.atomic
def cases_anonymise(*, older_than_months: int, now: dt.datetime | None = None) -> int:
    """Retention: closed cases closed more than `older_than_months` months ago lose their
    identifiers (name, phone, document, person key); their statistics stay."""
    if older_than_months < 1:
        raise ValueError("older_than_months must be at least 1")
    now = now or timezone.now()
    cutoff = (now - dt.timedelta(days=round(older_than_months * 30.44))).date()
    cases = list(
        Case.objects.filter(
            status=Case.Status.CLOSED, closed_on__lt=cutoff, anonymised_at__isnull=True
        )
    )
    for case in cases:
        case.name = case.phone = case.document_number = ""
        case.person_key = ""
        case.anonymised_at = now
        case.save(update_fields=["name", "phone", "document_number", "person_key", "anonymised_at"])
        _event(case, CaseEvent.Kind.ANONYMISED, None, months=older_than_months)
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        target="protection.retention",
        details={"anonymised": len(cases), "older_than_months": older_than_months},
    )
    return len(cases)


# --- Temporary sites (CCCM) ------------------------------------------------------------------


@transaction.atomic
def site_monitoring_save(
    *,
    rows: list[dict],
    replace: list[SiteMonitoring] = (),  # type: ignore[assignment]
) -> list[SiteMonitoring]:
    """Record monitoring visits of temporary sites (dicts of SiteMonitoring fields, with `site`
    and `submission_id`); the site must be an IDP site. `replace`: the records of the previous
    version of an edited submission."""
    records = []
    for row in rows:
        record = SiteMonitoring(**row)
        errors: dict[str, str] = {}
        try:
            record.clean()
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        if not record.site.kinds.filter(code=IDP_SITE_KIND).exists():
            errors["site"] = _("%(site)s is not a temporary (IDP) site.") % {
                "site": record.site.code
            }
        if errors:
            raise ValidationError(errors)
        records.append(record)
    pks = [r.pk for r in replace if r.pk is not None]
    if pks:
        SiteMonitoring.objects.filter(pk__in=pks).delete()
    return SiteMonitoring.objects.bulk_create(records)


@dataclass(frozen=True, slots=True)
class SiteMonitoringRow(Row):
    """One `site_monitoring` form, cleaned: a row of `site_monitoring_save_batch`."""

    submission_id: int
    site: Site
    date: dt.date
    population: int
    households: int | None = None
    isolation_tents: int | None = None
    isolation_capacity: int | None = None
    handwashing_points: int | None = None
    latrines: int | None = None
    distancing: str = ""
    note: str = ""
    existing: SiteMonitoring | None = None


def site_monitoring_save_batch(
    rows: Sequence[SiteMonitoringRow], *, ctx: BatchContext
) -> BatchResult:
    """Site monitoring visits from the intake pipeline (`site_monitoring_save`); an edit
    replaces the record its previous version made."""
    replace = [row.existing for row in rows if row.existing is not None]
    site_monitoring_save(rows=[row.fields() for row in rows], replace=replace)
    return BatchResult(created=len(rows) - len(replace), updated=len(replace))


@transaction.atomic
def referral_pathway_set(
    *, by: User, site: Site, need: str, provider: ServiceProvider | None
) -> ReferralPathway | None:
    """Set (or clear, with provider None) which provider a temporary site refers a need to."""
    _require(by, "protection.change_referralpathway")
    if not site_in_scope(by, site):
        raise PermissionDenied
    if need not in ServiceType.values:
        raise ValidationError({"need": _("Unknown value: %s") % need})
    if provider is not None and need not in provider.service_types:
        raise ValidationError({"provider": _("This provider does not offer this service.")})
    ReferralPathway.objects.filter(site=site, need=need).delete()
    pathway = None
    if provider is not None:
        pathway = ReferralPathway.objects.create(site=site, need=need, provider=provider)
    audit_log(
        action=AuditEvent.Action.DATA_CHANGE,
        actor=by,
        target=f"places.site:{site.code}",
        details={"pathway": need, "provider": provider.code if provider else None},
    )
    return pathway
