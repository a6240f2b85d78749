"""The checks a signal's values pass, shared by its services (`ebs.services`): times not in
the future and in order, coordinates in Mali, the date of emergence before the detection.
Each adds its reasons to `errors` (field -> messages) for one ValidationError."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.health.ebs.models import Signal
from hbmm.health.steps import CLOCK_SKEW
from hbmm.places.models import MALI_BBOX


def _not_future(value: dt.datetime | None, field: str, errors: dict) -> None:
    if value is not None and value > timezone.now() + CLOCK_SKEW:
        errors.setdefault(field, []).append(_("The time is in the future."))


def check_signal(values: dict, errors: dict) -> None:
    reported_at, detected_at = values.get("reported_at"), values.get("detected_at")
    _not_future(reported_at, "reported_at", errors)
    _not_future(detected_at, "detected_at", errors)
    if reported_at and detected_at and detected_at > reported_at:
        errors.setdefault("detected_at", []).append(_("The detection cannot be after the report."))
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        errors.setdefault("latitude", []).append(_("Give both latitude and longitude, or neither."))
    elif lat is not None and not (
        Decimal(str(MALI_BBOX["lat_min"]))
        <= Decimal(str(lat))
        <= Decimal(str(MALI_BBOX["lat_max"]))
        and Decimal(str(MALI_BBOX["lon_min"]))
        <= Decimal(str(lon))
        <= Decimal(str(MALI_BBOX["lon_max"]))
    ):
        errors.setdefault("latitude", []).append(_("The coordinates are outside Mali."))
    people = values.get("people_affected")
    if people is not None and people < 0:
        errors.setdefault("people_affected", []).append(_("Must be at least 0."))
    if values.get("kind") not in Signal.Kind.values:
        errors.setdefault("kind", []).append(_("Unknown signal type."))


def emergence_check(
    *,
    emerged_on: dt.date | None,
    kind: str,
    detected_at: dt.datetime | None,
    reported_at: dt.datetime,
    errors: dict,
) -> None:
    """The date of emergence comes before the detection (or the report) and says what it is."""
    if emerged_on is None:
        return
    if kind not in Signal.Emergence.values:
        errors.setdefault("emergence_kind", []).append(
            _("Say whether the date is the first case's or the first sign's.")
        )
    first_known = detected_at or reported_at
    if emerged_on > timezone.localdate(first_known):
        errors.setdefault("emerged_on", []).append(
            _("The emergence cannot be after the detection (%(day)s).")
            % {"day": timezone.localdate(first_known).isoformat()}
        )
