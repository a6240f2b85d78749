"""The suspect-case follow-up form (XLSForm intake/forms/suspect_case.xlsx, file imports) ->
one step of a suspect case's workflow (isolation, notification, referral, sample, lab result,
outcome), recorded by `case_steps.case_step_record` through the record page's own workflow
functions.

The case is chosen in `suspect_cases.csv` (the open suspect cases of the agent's scope, made
per user: `suspect_cases_csv`); referral facilities and laboratories in `step_sites.csv`
(every active one, as on the record's page: a referral often leaves the agent's area).
Checked here: the answers (the case known and in the sender's scope, the step, its time not in
the future, the step's own fields); checked when saving, by the workflow: the order of the
steps and the times against the steps before. A refusal quarantines the submission naming the
field at fault."""

import csv
import datetime as dt
import io
import math
import re

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import audit_log
from hbmm.health.screening import selectors
from hbmm.health.screening.case_steps import STEP_FIELDS, case_step_record
from hbmm.health.screening.intake_mappers import ALIASES
from hbmm.health.screening.models import STEP_NAMES, Screening
from hbmm.health.screening.workflow import WorkflowError
from hbmm.intake.aliases import column_aliases
from hbmm.intake.cleaning import clean_choice, clean_datetime, clean_site, clean_text
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError
from hbmm.places.lookups import Lookups
from hbmm.places.models import Site, SiteKind

FORM_ID = "suspect_case"
CASES_CSV = "suspect_cases.csv"
SITES_CSV = "step_sites.csv"
STEPS = tuple(STEP_FIELDS)
REFERENCE = re.compile(r"^SCR-(\d{1,12})$")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class SuspectCaseStepMapper(Mapper):
    """One step of a suspect case, from ODK Collect, Enketo or a file. `point` (the case's
    point of entry, which the form copies from `suspect_cases.csv`) lets the OpenRosa server
    refuse a case outside the sender's scope before storing it and files a quarantined step
    under its point, for that point's reviewers."""

    form_id = FORM_ID
    model = Screening
    permission = "health.change_screening"  # the record page's workflow permission
    site_field = "point"
    title = gettext_lazy("Suspect case: a step of its follow-up")
    aliases = column_aliases(ALIASES, FORM_ID)

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        step = clean_choice(data, "step", errors, STEPS, required=True)
        at = clean_datetime(data, "at", errors, required=True, not_future=True)
        point = clean_site(data, "point", errors, lookups, submitter=submitter, required=False)
        screening = _case(data, errors, submitter)
        if screening is not None and point is not None and point.pk != screening.point_id:
            errors.append(
                FieldError(
                    "point",
                    point.code,
                    _("This suspect case was screened at %s, not at this point.")
                    % screening.point.code,
                )
            )
        on = at.date() if at else None
        cleaned = {
            "site": screening.point if screening is not None else point,
            "screening_id": screening.pk if screening is not None else None,
            "step": step,
            "at": at,
            "facility": None,
            "transport": "",
            "lab": None,
            "result": "",
            "outcome": "",
        }
        if step == "refer":
            cleaned["facility"] = clean_site(
                data, "facility", errors, lookups, kinds=(SiteKind.HEALTH_FACILITY,), on=on
            )
            cleaned["transport"] = clean_choice(
                data, "transport", errors, Screening.Transport, required=True
            )
        elif step == "sample":
            cleaned["lab"] = clean_site(
                data, "lab", errors, lookups, kinds=(SiteKind.LABORATORY,), on=on
            )
        elif step == "result":
            cleaned["result"] = clean_choice(
                data, "result", errors, Screening.LabResult, required=True
            )
        elif step == "close":
            cleaned["outcome"] = clean_choice(
                data, "outcome", errors, Screening.Outcome, required=True
            )
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        """Each step in the order received (a later one may need an earlier one: the
        notification before the referral). A step the workflow refuses raises MappingError
        naming the field, which quarantines that submission alone (intake.process retries
        the others one by one)."""
        for item in items:
            values = dict(item.cleaned)
            values.pop("site")
            try:
                case_step_record(
                    **values, by=item.actor, source=_source(item), send_email=not item.is_demo
                )
            except WorkflowError as exc:
                # The workflow's code names the answer at fault ("at", "case", "facility"...);
                # without one, the step itself may not be recorded now (order, done, closed).
                field = exc.code or "step"
                raise MappingError(
                    [FieldError(field, _answer(values, field), str(exc.message))]
                ) from exc

    def records_for(self, submission):
        # A step changes a screening made by another submission; it makes no record of its own.
        return Screening.objects.none()

    def media_file(self, filename: str, *, user) -> bytes | None:
        if filename == CASES_CSV:
            return suspect_cases_csv(user=user)
        if filename == SITES_CSV:
            return step_sites_csv(on=timezone.now().date())
        return None


def _case(data: dict, errors: list, submitter) -> Screening | None:
    """The screening named by its reference (SCR-000123), among those in the sender's scope."""
    reference = clean_text(data, "case", errors, required=True, max_length=20).strip()
    if not reference:
        return None
    match = REFERENCE.match(reference.upper())
    screening = None
    if match:
        screening = (
            selectors.screenings_for(user_scope(submitter)).filter(pk=int(match.group(1))).first()
        )
    if screening is None:
        errors.append(
            FieldError(
                "case",
                reference,
                _("No screening with this reference in your geographic scope."),
            )
        )
    return screening


def _answer(values: dict, field: str):
    """The answer a refusal names, as the form gave it."""
    if field == "case":
        return f"SCR-{values['screening_id']:06d}"
    value = values.get(field)
    if isinstance(value, Site):
        return value.code
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _source(item: Item) -> dict:
    """Where the step came from, for its audit event (and the idempotency check: `root`)."""
    submission = item.submission
    return {
        "channel": item.channel,
        "form": FORM_ID,
        "submission": submission.pk,
        "instance": submission.instance_id,
        "root": submission.root_id,
    }


def _day_number(moment: dt.datetime | None) -> str:
    """A time as days since 1970-01-01 UTC, what the form's `decimal-date-time()` compares
    with; 0 when the step is not recorded (a check against it always passes)."""
    if moment is None:
        return "0"
    # Rounded down: the form's check must never be stricter than the server's.
    return f"{math.floor((moment - EPOCH).total_seconds() * 1_000_000 / 86_400) / 1e6:.6f}"


def suspect_cases_csv(*, user) -> bytes:
    """The `suspect_cases.csv` media file: the open suspect cases (no outcome yet) in the
    user's scope, newest first. Pseudonymous (record reference, traveller key, point, screening
    time, steps done and their times); the traveller's name only for a user allowed to see
    identifiers, and that read is written to the audit log."""
    cases = list(selectors.screening_list(scope=user_scope(user), step="open"))
    identifiers = selectors.can_view_identifiers(user)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "name",
            "label",
            "label::French (fr)",
            "label::English (en)",
            "person_key",
            "point",
            "screened_at",
            "done",
            "t_screened",
            "t_notified",
            "t_sampled",
            "t_result",
            "traveller_name",
        ]
    )
    for s in cases:
        who = f"{s.name} · " if identifiers and s.name else ""
        when = timezone.localtime(s.screened_at).strftime("%Y-%m-%d %H:%M")
        labels = []
        for language in ("fr", "en"):
            with translation.override(language):
                step = str(STEP_NAMES[s.step])
            labels.append(f"{who}{s.person_key} · {s.point.code} · {when} · {step}")
        done = " ".join(code for code, field in STEP_FIELDS.items() if getattr(s, field))
        writer.writerow(
            [
                s.reference,
                labels[0],
                *labels,
                s.person_key,
                s.point.code,
                s.screened_at.isoformat(),
                done,
                _day_number(s.screened_at),
                _day_number(s.notified_at),
                _day_number(s.sampled_at),
                _day_number(s.result_at),
                s.name if identifiers else "",
            ]
        )
    if identifiers and cases:
        audit_log(
            action=AuditEvent.Action.READ_PROTECTED,
            actor=user,
            target="health.screening",
            details={
                "fields": ["name"],
                "media": CASES_CSV,
                "screenings": [s.pk for s in cases],
            },
        )
    return out.getvalue().encode("utf-8")


def step_sites_csv(*, on: dt.date) -> bytes:
    """The `step_sites.csv` media file: the health facilities and laboratories active on
    `on`, in the columns of `sites.csv` (name = code, labels, kinds, area)."""
    sites = (
        Site.objects.active_on(on)
        .filter(kinds__code__in=[SiteKind.HEALTH_FACILITY, SiteKind.LABORATORY])
        .distinct()
        .select_related("area")
        .prefetch_related("kinds")
        .order_by("code")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label", "label::French (fr)", "label::English (en)", "kinds", "area"])
    for site in sites:
        kinds = " ".join(sorted(k.code for k in site.kinds.all()))
        writer.writerow(
            [
                site.code,
                f"{site.name_fr} ({site.code})",
                f"{site.name_fr} ({site.code})",
                f"{site.name_en or site.name_fr} ({site.code})",
                kinds,
                site.area.pcode,
            ]
        )
    return out.getvalue().encode("utf-8")
