"""Community signal reports (XLSForm `signal`, the web form, file imports) -> Signals; their
verification in the field (XLSForm `signal_verification`) -> `signal_verify`."""

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.accounts.scope import restrict_to_scope, user_scope
from hbmm.health.ebs.models import FocalPoint, Signal
from hbmm.health.ebs.selectors import FOCAL_POINTS_CSV, focal_points_csv
from hbmm.health.ebs.services import SignalRow, signal_verify, signals_save_batch
from hbmm.intake.aliases import column_aliases
from hbmm.intake.cleaning import (
    check_area_scope,
    clean_choice,
    clean_date,
    clean_datetime,
    clean_decimal,
    clean_int,
    clean_site,
    clean_text,
)
from hbmm.intake.mappers import FieldError, Item, Mapper, MappingError, items_by_context
from hbmm.places.lookups import Lookups

# The health forms' column aliases (data, listed in docs/imports-health.md).
ALIASES = Path(__file__).resolve().parents[1] / "data" / "intake_aliases.json"

FORM_ID = "signal"


def _geopoint(data: dict, errors: list) -> tuple[Decimal | None, Decimal | None]:
    """An ODK geopoint ("lat lon alt accuracy") or separate latitude/longitude fields."""
    point = data.get("location")
    if point not in (None, ""):
        parts = str(point).split()
        try:
            return Decimal(parts[0]), Decimal(parts[1])
        except (IndexError, InvalidOperation):
            errors.append(FieldError("location", point, _("Not a GPS point (latitude longitude).")))
            return None, None
    lat = clean_decimal(data, "latitude", errors, minimum=-90, maximum=90)
    lon = clean_decimal(data, "longitude", errors, minimum=-180, maximum=180)
    return lat, lon


def _emergence_check(data, emerged_on, kind, first_known, errors: list) -> None:
    """The date of emergence as the focal point or officer gives it: says what it is, and
    comes before the detection (the report when no detection time is given)."""
    if emerged_on is None:
        return
    if not kind and not any(e.field == "emergence_kind" for e in errors):
        errors.append(
            FieldError(
                "emergence_kind",
                None,
                _("Say whether the date is the first case's or the first sign's."),
            )
        )
    if first_known is not None and emerged_on > first_known.date():
        errors.append(
            FieldError(
                "emerged_on",
                data.get("emerged_on"),
                _("The emergence cannot be after the detection (%(day)s).")
                % {"day": first_known.date().isoformat()},
            )
        )


class SignalMapper(Mapper):
    form_id = FORM_ID
    example = {
        "reporter": "CFP-KTI-01",
        "reported_at": "2020-04-28 09:30",
        "detected_at": "",
        "site": "",
        "pcode": "ML0204",
        "kind": "sick_traveller",
        "description": "",
        "people_affected": "1",
    }
    model = Signal
    permission = "health.add_signal"
    site_field = "site"
    title = gettext_lazy("Community health signal")
    aliases = column_aliases(ALIASES, "signal")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        key = clean_text(data, "reporter", errors, required=True, max_length=30)
        reporter = None
        if key:
            reporter = FocalPoint.objects.filter(key=key.strip().upper()).first()
            if reporter is None:
                errors.append(FieldError("reporter", key, _("Unknown focal point key.")))
            elif not reporter.is_active:
                errors.append(
                    FieldError("reporter", key, _("This focal point is no longer active."))
                )
        reported_at = clean_datetime(data, "reported_at", errors, required=True, not_future=True)
        detected_at = clean_datetime(data, "detected_at", errors, not_future=True)
        if reported_at and detected_at and detected_at > reported_at:
            errors.append(
                FieldError(
                    "detected_at",
                    data.get("detected_at"),
                    _("The detection cannot be after the report."),
                )
            )
        emerged_on = clean_date(data, "emerged_on", errors, not_future=True)
        emergence_kind = clean_choice(data, "emergence_kind", errors, Signal.Emergence)
        _emergence_check(data, emerged_on, emergence_kind, detected_at or reported_at, errors)
        site = clean_site(data, "site", errors, lookups, submitter=submitter, required=False)
        area = None
        pcode = clean_text(data, "pcode", errors, max_length=20)
        if pcode:
            area = lookups.area(pcode)
            if area is None:
                errors.append(FieldError("pcode", pcode, _("Unknown P-code.")))
            elif site is None:
                check_area_scope(errors, "pcode", area, submitter)
        if site is None and area is None and not any(e.field in ("site", "pcode") for e in errors):
            errors.append(FieldError("site", None, _("Give a site or a P-code.")))
        latitude, longitude = _geopoint(data, errors)
        cleaned = {
            "site": site,
            "area": area,
            "reporter": reporter,
            "reported_at": reported_at,
            "detected_at": detected_at,
            "latitude": latitude,
            "longitude": longitude,
            "kind": clean_choice(data, "kind", errors, Signal.Kind, required=True),
            "description": clean_text(data, "description", errors, max_length=4000),
            "people_affected": clean_int(
                data, "people_affected", errors, minimum=0, maximum=1_000_000
            ),
            "emerged_on": emerged_on,
            "emergence_kind": emergence_kind if emerged_on else "",
        }
        if errors:
            raise MappingError(errors)
        return cleaned

    def media_file(self, filename: str, *, user) -> bytes | None:
        if filename != FOCAL_POINTS_CSV:
            return None
        return focal_points_csv(scope=user_scope(user))

    def save(self, items: list[Item]) -> None:
        """One batch save per context (submitter, sender, channel, demo flag)."""
        for ctx, group in items_by_context(items).items():
            signals_save_batch(
                [
                    SignalRow(
                        submission=item.submission,
                        existing=item.existing[0] if item.existing else None,
                        **item.cleaned,
                    )
                    for item in group
                ],
                ctx=ctx,
            )


VERIFICATION_FORM_ID = "signal_verification"
_REFERENCE = re.compile(r"^\s*(?:SIG-?)?0*(\d{1,9})\s*$", re.IGNORECASE)


class SignalVerificationMapper(Mapper):
    """The verification of a signal by the officer in the field (XLSForm `signal_verification`):
    the same service as the signal page (`signal_verify`), so the same order checks and audit; a
    refusal (a signal not to verify, a time before the triage, an emergence after the
    detection) quarantines the form with the field it is about. An edit of a verification
    already recorded is refused the same way (the signal is no longer to verify)."""

    form_id = VERIFICATION_FORM_ID
    model = Signal
    permission = "health.change_signal"
    site_field = None
    title = gettext_lazy("Verification of a community signal")
    aliases = column_aliases(ALIASES, "signal_verification")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        reference = clean_text(data, "signal", errors, required=True, max_length=20)
        signal = None
        if reference:
            match = _REFERENCE.match(reference)
            if match is not None and submitter is not None:
                scoped = restrict_to_scope(Signal.objects.all(), user_scope(submitter))
                signal = scoped.filter(pk=int(match.group(1))).first()
            elif match is not None:
                signal = Signal.objects.filter(pk=int(match.group(1))).first()
            if signal is None:
                errors.append(
                    FieldError(
                        "signal",
                        reference,
                        _("No signal with this number in your geographic scope."),
                    )
                )
        verified_at = clean_datetime(data, "verified_at", errors, required=True, not_future=True)
        result = clean_choice(data, "result", errors, ["true", "false"], required=True)
        emerged_on = clean_date(data, "emerged_on", errors, not_future=True)
        kind = clean_choice(data, "emergence_kind", errors, Signal.Emergence)
        _emergence_check(data, emerged_on, kind, None, errors)
        cleaned = {
            "signal": signal,
            "verified_at": verified_at,
            "is_true": result == "true",
            "verifier_name": clean_text(
                data, "verifier_name", errors, required=True, max_length=150
            ),
            "emerged_on": emerged_on,
            "emergence_kind": kind,
            "note": clean_text(data, "note", errors, max_length=4000),
        }
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        """Each verification on its own (a few a day), as the page records it."""
        for item in items:
            values = dict(item.cleaned)
            signal_verify(
                signal=values.pop("signal"),
                at=values.pop("verified_at"),
                by=item.actor,
                submission=item.submission,
                **values,
            )

    def records_for(self, submission) -> QuerySet:
        return Signal.objects.filter(verification_submission=submission)
