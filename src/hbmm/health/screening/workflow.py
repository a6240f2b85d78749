"""The suspect-case workflow of a screening: isolation, notification (alert e-mails to the
point's supervisors and the district surveillance officers), referral, sample, result, close;
each step checked against the ones before it, audited."""

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.services import audit_log
from hbmm.health.labs.models import SampleResult, SampleType
from hbmm.health.labs.services import sample_result, sample_take
from hbmm.health.screening.models import (
    FollowUpOutcome,
    Screening,
    Symptom,
)
from hbmm.health.screening.summaries import key_of, screening_days_refresh
from hbmm.health.screening.tasks import alert_emails_enqueue
from hbmm.health.steps import WorkflowError, moment_check
from hbmm.places.models import AdminArea, Site, SiteKind

# --- Suspect-case workflow ------------------------------------------------------------------

STEP_LABELS = {
    "screened_at": gettext_lazy("the screening"),
    "isolated_at": gettext_lazy("the isolation"),
    "notified_at": gettext_lazy("the notification"),
    "referred_at": gettext_lazy("the referral"),
    "sampled_at": gettext_lazy("the sample"),
    "result_at": gettext_lazy("the lab result"),
}


def step_guard(screening: Screening, *, field: str, requires: tuple[str, ...], at) -> dt.datetime:
    """Refuse a step that is already done, comes before what it requires, or is mistimed."""
    if not screening.is_suspect:
        raise WorkflowError(_("This traveller is not a suspect case."), code="case")
    if screening.outcome_at:
        raise WorkflowError(_("The case is closed (outcome recorded)."))
    if getattr(screening, field):
        raise WorkflowError(
            _("This step was already recorded on %s.")
            % timezone.localtime(getattr(screening, field)).strftime("%Y-%m-%d %H:%M")
        )
    for required in requires:
        if not getattr(screening, required):
            raise WorkflowError(
                _("Record %(required)s first.") % {"required": STEP_LABELS[required]}
            )
    at = at or timezone.now()
    errors: dict[str, list] = {}
    latest = max(
        [screening.screened_at] + [getattr(screening, r) for r in requires],
    )
    label = STEP_LABELS[
        next((r for r in requires if getattr(screening, r) == latest), "screened_at")
    ]
    moment_check(at, "at", errors, not_before=latest, before_label=label)
    if errors:
        raise WorkflowError(errors["at"][0], code="at")
    return at


def step_save(screening: Screening, *, by, step: str, fields: list[str], details=None) -> None:
    screening.save(update_fields=fields)
    screening_days_refresh(keys=[key_of(screening)])  # the step's count, in this transaction
    audit_log(**step_event(screening, by=by, step=step, details=details))


# Where the steps being recorded come from, when not from the record's page: set by
# `step_source` around a workflow call (a field form: its channel, form and submission) and
# kept in each step's audit event, so that the six step functions keep their signatures.
_SOURCE: ContextVar[dict | None] = ContextVar("screening_step_source", default=None)


@contextmanager
def step_source(source: dict) -> Iterator[None]:
    """Within this block, the audit events of the steps recorded say they came from
    `source`."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def step_event(screening: Screening, *, by, step: str, details=None) -> dict:
    source = _SOURCE.get()
    return {
        "action": AuditEvent.Action.DATA_CHANGE,
        "actor": by,
        "target": f"health.screening:{screening.pk}",
        "details": {"step": step, **(details or {}), **({"source": source} if source else {})},
    }


@transaction.atomic
def screening_isolate(*, screening: Screening, by: User | None, at=None) -> Screening:
    screening.isolated_at = step_guard(screening, field="isolated_at", requires=(), at=at)
    step_save(screening, by=by, step="isolated", fields=["isolated_at"])
    return screening


def alert_recipients(point: Site) -> list[User]:
    """The point's supervisors (poe_supervisor whose scope holds the point) and the district
    surveillance officers (surveillance_officer scoped to the point's cercle or below; the
    region's officers when the district has none). Only users with an e-mail address."""
    return recipients_by_point([point.pk])[point.pk]


def recipients_by_point(point_ids: Iterable[int]) -> dict[int, list[User]]:
    """alert_recipients of each point, in the same few queries for any number of points."""
    point_ids = set(point_ids)
    if not point_ids:
        return {}
    points = Site.objects.select_related("area").filter(pk__in=point_ids)
    users = list(
        User.objects.filter(
            is_active=True, groups__name__in=["poe_supervisor", "surveillance_officer"]
        )
        .exclude(email="")
        .prefetch_related("groups", "scopes__area")
        .distinct()
    )
    return {point.pk: _recipients_of(point, users) for point in points}


def _recipients_of(point: Site, users: list[User]) -> list[User]:
    supervisors, district, regional = [], [], []
    for user in users:
        roles = {g.name for g in user.groups.all()}
        holding = [
            s
            for s in user.scopes.all()
            if s.site_id == point.pk or (s.area_id and point.area.path.startswith(s.area.path))
        ]
        if not holding:
            continue
        if "poe_supervisor" in roles:
            supervisors.append(user)
        if "surveillance_officer" in roles:
            if any(s.site_id or s.area.level >= AdminArea.Level.ADM2 for s in holding):
                district.append(user)
            elif any(s.area.level == AdminArea.Level.ADM1 for s in holding):
                regional.append(user)
    chosen = {u.pk: u for u in supervisors + (district or regional)}
    return sorted(chosen.values(), key=lambda u: u.pk)


def _alert_message(screening: Screening, language: str) -> tuple[str, str]:
    """Subject and body of the alert; no name, phone, document number or person key."""
    with translation.override(language):
        definition = screening.case_definition
        criteria = [definition.clause_label(code) for code in screening.matched_clauses]
        symptoms = ", ".join(str(Symptom(s).label) for s in screening.symptoms) or _("none")
        subject = _("[HBMM] Suspect case at %(point)s (%(ref)s)") % {
            "point": screening.point.name,
            "ref": screening.reference,
        }
        lines = [_("A suspect case was detected at a point of entry."), ""]
        if screening.follow_up_outcome == FollowUpOutcome.SYMPTOMATIC:
            visit = screening.visits.order_by("-visited_on", "-pk").first()
            lines = [
                _("A traveller under 14-day follow-up has symptoms: a suspect case."),
                "",
            ]
            if visit is not None:
                lines += [
                    _("Follow-up visit: %s") % visit.visited_on.isoformat(),
                    _("Temperature at the visit: %s °C")
                    % (number_format(visit.temperature) if visit.temperature else "-"),
                    _("Symptoms at the visit: %s")
                    % (", ".join(str(Symptom(s).label) for s in visit.symptoms) or _("none")),
                    "",
                ]
        lines += [
            _("Point: %(name)s (%(code)s)")
            % {"name": screening.point.name, "code": screening.point.code},
            _("Screened at: %s UTC") % screening.screened_at.strftime("%Y-%m-%d %H:%M"),
            _("Record: %s") % screening.reference,
            _("Temperature: %s °C")
            % (number_format(screening.temperature) if screening.temperature else "-"),
            _("Symptoms: %s") % symptoms,
            _("Case definition: %s") % definition,
            _("Criteria met: %s")
            % ("; ".join(criteria) or _("none (classified suspect by the agent)")),
            "",
            _("Open the record: %s")
            % (settings.BASE_URL + reverse("health:screening_detail", kwargs={"pk": screening.pk})),
            "",
            _(
                "This message holds no personal identifiers; they are in HBMM, for authorised users."
            ),
        ]
    return subject, "\n".join(lines)


def screening_alert_send(screening: Screening) -> int:
    """E-mail the alert to the recipients (after the transaction commits); returns how many."""
    recipients = alert_recipients(screening.point)
    alerts_send([(screening, recipients)])
    return len(recipients)


def alerts_send(alerts: list[tuple[Screening, list[User]]], *, by: User | None = None) -> None:
    """Write each screening's alert to its recipients, in their language, now; a worker
    sends them once the transaction commits (nothing leaves for a record that is rolled
    back; see screening/tasks.py)."""
    messages, references = [], []
    for screening, recipients in alerts:
        by_language: dict[str, list[str]] = {}
        for user in recipients:
            by_language.setdefault(user.language or "fr", []).append(user.email)
        for language, addresses in sorted(by_language.items()):
            subject, body = _alert_message(screening, language)
            messages.append({"subject": subject, "body": body, "to": sorted(addresses)})
        if by_language:
            references.append(screening.reference)
    if not messages:
        return

    def enqueue():
        alert_emails_enqueue(messages=messages, references=references, by=by)

    transaction.on_commit(enqueue)


def notify_now(screening: Screening, *, by) -> None:
    """The automatic notification of a suspect, now (or at the screening time, when the
    device clock is a few minutes ahead of the server's)."""
    screening_notify(screening=screening, by=by, at=max(timezone.now(), screening.screened_at))


@transaction.atomic
def screening_notify(
    *, screening: Screening, by: User | None, at=None, send_email: bool = True
) -> Screening:
    """Notify the suspect case: the alert e-mail goes out and the notification time is kept."""
    screening.notified_at = step_guard(screening, field="notified_at", requires=(), at=at)
    fields = ["notified_at"]
    if send_email:
        screening.alert_recipients = screening_alert_send(screening)
        screening.alert_sent_at = timezone.now()
        fields += ["alert_recipients", "alert_sent_at"]
    step_save(
        screening,
        by=by,
        step="notified",
        fields=fields,
        details={"recipients": screening.alert_recipients},
    )
    return screening


@transaction.atomic
def screening_refer(
    *, screening: Screening, by: User | None, facility: Site, transport: str, at=None
) -> Screening:
    at = step_guard(screening, field="referred_at", requires=("notified_at",), at=at)
    if not facility.kinds.filter(code=SiteKind.HEALTH_FACILITY).exists():
        raise WorkflowError(_("The referral site must be a health facility."), code="facility")
    if transport not in Screening.Transport.values:
        raise WorkflowError(_("Choose a transport."), code="transport")
    screening.referred_at, screening.referral_facility = at, facility
    screening.referral_transport = transport
    step_save(
        screening,
        by=by,
        step="referred",
        fields=["referred_at", "referral_facility", "referral_transport"],
        details={"facility": facility.code, "transport": transport},
    )
    return screening


@transaction.atomic
def screening_sample(
    *,
    screening: Screening,
    by: User | None,
    lab: Site,
    at=None,
    sample_id: str = "",
    sample_type: str = SampleType.NASOPHARYNGEAL,
) -> Screening:
    """The sample step: records the Sample (labs.services.sample_take; its id is the barcode,
    else the screening's reference), which writes the screening's sample fields."""
    at = step_guard(screening, field="sampled_at", requires=("notified_at",), at=at)
    if not lab.kinds.filter(code=SiteKind.LABORATORY).exists():
        raise WorkflowError(_("The sample must go to a laboratory."))
    sample = sample_take(
        sample_id=sample_id or screening.reference,
        sample_type=sample_type,
        point=screening.point,
        taken_at=at,
        by=by,
        lab=lab,
        screening=screening,
    )
    step_save(
        screening,
        by=by,
        step="sampled",
        fields=["sampled_at", "sample_lab"],
        details={"lab": lab.code, "sample_id": sample.sample_id},
    )
    return screening


@transaction.atomic
def screening_result(
    *,
    screening: Screening,
    by: User | None,
    result: str,
    at=None,
    rejection_reason: str = "",
) -> Screening:
    """The result step: recorded on the screening's Sample (labs.services.sample_result, which
    checks it against the sample's shipment and reception and writes the screening's result
    fields). A sample rejected by the laboratory (with its reason) leaves the result empty."""
    at = step_guard(screening, field="result_at", requires=("sampled_at",), at=at)
    if result not in Screening.LabResult.values and result != SampleResult.REJECTED:
        raise WorkflowError(_("The result must be positive, negative or inconclusive."))
    sample = screening.samples.order_by("-taken_at", "-pk").first()
    if sample is None:  # cannot happen since migration 0005 gave each sampled screening one
        raise WorkflowError(_("The screening's sample is not recorded."))
    sample.screening = screening  # the same instance: the service writes its result fields
    sample_result(sample=sample, by=by, result=result, at=at, rejection_reason=rejection_reason)
    step_save(
        screening,
        by=by,
        step="resulted",
        fields=["result_at", "lab_result"],
        details={"result": result, "sample_id": sample.sample_id},
    )
    return screening


@transaction.atomic
def screening_close(*, screening: Screening, by: User | None, outcome: str, at=None) -> Screening:
    """Record the outcome; closes the case. Needs the notification; a sample without a result
    must wait for the result (unless the laboratory rejected it)."""
    at = step_guard(screening, field="outcome_at", requires=("notified_at",), at=at)
    if outcome not in Screening.Outcome.values:
        raise WorkflowError(_("Choose an outcome."))
    rejected = screening.samples.filter(result=SampleResult.REJECTED).exists()
    if (
        screening.sampled_at
        and not screening.result_at
        and outcome != Screening.Outcome.DIED
        and not rejected  # the laboratory rejected the sample: there will be no result
    ):
        raise WorkflowError(_("A sample was taken: record the lab result first."))
    if screening.result_at and at < screening.result_at:
        raise WorkflowError(_("The outcome cannot be before the lab result."))
    screening.outcome_at, screening.outcome = at, outcome
    step_save(
        screening,
        by=by,
        step="closed",
        fields=["outcome_at", "outcome"],
        details={"outcome": outcome},
    )
    return screening
