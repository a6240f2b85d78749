"""Community signal reports (XLSForm `signal`, the web form, file imports) -> Signals."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.ebs.models import FocalPoint, Signal
from hbmm.health.ebs.services import SignalRow, signals_save_batch
from hbmm.intake.aliases import column_aliases
from hbmm.intake.cleaning import (
    check_area_scope,
    clean_choice,
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
        }
        if errors:
            raise MappingError(errors)
        return cleaned

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
