"""The alert of a suspect case: who receives it (the point's supervisors and the district's,
else the region's, surveillance officers) and the e-mail, written in each recipient's language
with no personal identifier, sent by a worker once the transaction commits (screening/tasks.py).
"""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hbmm.accounts.models import User
from hbmm.health.screening.models import (
    Screening,
    Symptom,
)
from hbmm.health.screening.tasks import alert_emails_enqueue
from hbmm.places.models import AdminArea, Site


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
            if s.site_id == point.pk
            or (s.area is not None and point.area.path.startswith(s.area.path))
        ]
        if not holding:
            continue
        if "poe_supervisor" in roles:
            supervisors.append(user)
        if "surveillance_officer" in roles:
            if any(
                s.site_id or (s.area is not None and s.area.level >= AdminArea.Level.ADM2)
                for s in holding
            ):
                district.append(user)
            elif any(s.area is not None and s.area.level == AdminArea.Level.ADM1 for s in holding):
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
        lines = [
            _("A suspect case was detected at a point of entry."),
            "",
            _("Point: %(name)s (%(code)s)")
            % {"name": screening.point.name, "code": screening.point.code},
            _("Screened at: %s UTC") % screening.screened_at.strftime("%Y-%m-%d %H:%M"),
            _("Record: %s") % screening.reference,
            _("Temperature: %s °C") % (screening.temperature or "-"),
            _("Symptoms: %s") % symptoms,
            _("Case definition: %s") % definition,
            _("Criteria met: %s")
            % ("; ".join(criteria) or _("none (classified suspect by the agent)")),
            "",
            _("Open the record: %s")
            % reverse("health:screening_detail", kwargs={"pk": screening.pk}),
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
