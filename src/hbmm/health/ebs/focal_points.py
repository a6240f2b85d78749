"""Writes for the focal points managed on the web pages (services: keyword-only, one
transaction, checked, audited). The administration and the demo register them by key with
`services.focal_point_register`."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hbmm.accounts.models import User
from hbmm.health.ebs.models import FocalPoint
from hbmm.health.ebs.services import _audit
from hbmm.health.steps import WorkflowError
from hbmm.places.models import AdminArea, Site


def _focal_point_check(
    *, name: str, area: AdminArea, site: Site | None, trained_on: dt.date | None, errors: dict
) -> None:
    if not name.strip():
        errors.setdefault("name", []).append(_("This field is required."))
    if site is not None and not site.area.path.startswith(area.path):
        errors.setdefault("site", []).append(_("The site is not in that admin area."))
    if trained_on is not None and trained_on > timezone.localdate():
        errors.setdefault("trained_on", []).append(_("The date is in the future."))


@transaction.atomic
def focal_point_create(
    *,
    key: str,
    name: str,
    area: AdminArea,
    phone: str = "",
    site: Site | None = None,
    trained_on: dt.date | None = None,
    by: User | None,
) -> FocalPoint:
    """A new focal point from the web page: a key already given is refused (not updated)."""
    errors: dict[str, list] = {}
    key = key.strip().upper()
    if not key:
        errors.setdefault("key", []).append(_("This field is required."))
    elif FocalPoint.objects.filter(key=key).exists():
        errors.setdefault("key", []).append(_("A focal point already has this key."))
    _focal_point_check(name=name, area=area, site=site, trained_on=trained_on, errors=errors)
    if errors:
        raise ValidationError(errors)
    focal_point = FocalPoint.objects.create(
        key=key,
        name=name.strip(),
        area=area,
        phone=phone.strip(),
        site=site,
        trained_on=trained_on,
    )
    # No phone number in the audit trail: it is personal data.
    _audit(by, f"health.focalpoint:{focal_point.pk}", created=True, key=key)
    return focal_point


@transaction.atomic
def focal_point_update(
    *,
    focal_point: FocalPoint,
    name: str,
    area: AdminArea,
    phone: str | None = None,
    site: Site | None = None,
    trained_on: dt.date | None = None,
    by: User | None,
) -> FocalPoint:
    """Change who, where and when trained; `phone` None keeps the number (a user who may not
    see it cannot change it either)."""
    errors: dict[str, list] = {}
    _focal_point_check(name=name, area=area, site=site, trained_on=trained_on, errors=errors)
    if errors:
        raise ValidationError(errors)
    changes = {"name": name.strip(), "area": area, "site": site, "trained_on": trained_on}
    if phone is not None:
        changes["phone"] = phone.strip()
    changed = sorted(k for k, v in changes.items() if getattr(focal_point, k) != v)
    for field, value in changes.items():
        setattr(focal_point, field, value)
    focal_point.save()
    _audit(by, f"health.focalpoint:{focal_point.pk}", edited=True, fields=changed)
    return focal_point


@transaction.atomic
def focal_point_set_active(*, focal_point: FocalPoint, active: bool, by: User | None) -> FocalPoint:
    """Deactivate a focal point (their signals stay; new ones from them are refused) or
    reactivate them."""
    if focal_point.is_active == active:
        raise WorkflowError(
            _("The focal point is already active.")
            if active
            else _("The focal point is already inactive.")
        )
    focal_point.is_active = active
    focal_point.save(update_fields=["is_active"])
    _audit(by, f"health.focalpoint:{focal_point.pk}", active=active)
    return focal_point
