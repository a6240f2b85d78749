"""The points of entry as tables (`hbmm.presentation.tables`): the latest assessment of each point
in a round with its answer to each item (the figures' drill-down, and the gap list's export),
every assessment (list page), and the status of each point as of a date. Registered from
poe.setup."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hbmm.health.poe import selectors
from hbmm.health.poe.models import (
    CAPACITY_ITEM_FIELDS,
    CAPACITY_ITEMS,
    Answer,
    OperationalStatus,
    PointType,
    Restriction,
)
from hbmm.places.selectors import name_in_language
from hbmm.presentation.tables import Column, Filter, Table, register_table

PERMISSION = "health.view_capacityassessment"
STATUS_PERMISSION = "health.view_poestatus"

POINT = (
    Column("code", _("Point"), "text", "#loc+code"),
    Column("name", _("Name"), "text", "#loc+name"),
    Column("type", _("Point type"), "code", "#loc+type", PointType.choices),
    Column("pcode", _("Admin area P-code"), "text", "#adm2+code"),
)


def capacity_rows(q):
    """Each point's latest assessment in [start, end] (by default the week of `end`, by default
    today's), one row per item."""
    f = q.filters
    end = f.get("end") or dt.date.today()
    start = f.get("start") or end - dt.timedelta(days=end.weekday())
    items = [f["item"]] if f.get("item") else CAPACITY_ITEM_FIELDS
    kinds = f.get("kinds") or selectors.POE_TYPES
    for a in selectors.capacity_latest(
        scope=q.scope, round_start=start, round_end=end, kinds=kinds
    ):
        region = selectors.region_of(a.site.area)
        for item in items:
            answer = getattr(a, item)
            if f.get("answer") and answer != f["answer"]:
                continue
            yield (
                a.site.code,
                a.site.name,
                a.point_type,
                a.site.area.pcode,
                region.pcode,
                region.name,
                a.assessed_on,
                item,
                answer,
            )


def assessment_rows(q):
    return (
        selectors.capacity_assessments(scope=q.scope)
        .annotate(site_name=name_in_language("site"))
        .order_by("-assessed_on", "site__code")
    )


def status_rows(q):
    f = q.filters
    for row in selectors.poe_status_as_of(scope=q.scope, day=q.day):
        if f.get("status") and row.status_code != f["status"]:
            continue
        if f.get("site") and row.site.pk != f["site"].pk:
            continue
        s = row.status
        yield (
            row.site.code,
            row.site.name,
            row.point_type,
            row.site.area_pcode,
            row.status_code,
            s.effective_from if s else None,
            s.restriction if s else "",
            s.daily_inflow if s else None,
            s.daily_outflow if s else None,
        )


CAPACITY = register_table(
    Table(
        key="health.capacity",
        title=_("Point-of-entry capacity assessments"),
        permission=PERMISSION,
        description=_(
            "The latest assessment of each point in the round, with its answer to each item."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("item", _("Item"), "choice", tuple(CAPACITY_ITEMS)),
            Filter("answer", _("Answer"), "choice", tuple(Answer.choices)),
            Filter("kinds", _("Point types"), "codes", tuple(PointType.choices)),
        ),
        columns=(
            *POINT,
            Column("region", _("Region P-code"), "text", "#adm1+code"),
            Column("region_name", _("Region"), "text", "#adm1+name"),
            Column("assessed_on", _("Assessed on"), "date", "#date+assessed"),
            Column("item", _("Item"), "code", "#indicator+name", tuple(CAPACITY_ITEMS)),
            Column("answer", _("Answer"), "code", "#indicator+value", Answer.choices),
        ),
        rows=capacity_rows,
    )
)

ASSESSMENTS = register_table(
    Table(
        key="health.capacity_assessments",
        title=_("Capacity assessments"),
        permission=PERMISSION,
        url_name="health:capacity_list",
        description=_("Every capacity checklist, as assessed (newest first)."),
        columns=(
            Column("assessed_on", _("Assessed on"), "date", "#date+assessed"),
            Column("site__code", _("Point"), "text", "#loc+code"),
            Column("site_name", _("Name"), "text", "#loc+name"),
            Column("point_type", _("Point type"), "code", "#loc+type", PointType.choices),
            *(
                Column(name, label, "code", f"#indicator+{name}", Answer.choices)
                for name, label in CAPACITY_ITEMS
            ),
            Column("health_staff_present", _("Health staff present"), "int", "#capacity+staff"),
            Column(
                "screening_hours_per_day",
                _("Screening hours per day"),
                "decimal",
                "#capacity+hours",
            ),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=assessment_rows,
    )
)

STATUS = register_table(
    Table(
        key="health.status",
        title=_("Operational status of the points of entry"),
        permission=STATUS_PERMISSION,
        description=_("Each point's status in force on the as-of date (today by default)."),
        filters=(
            Filter("as_of", _("As of"), "date"),
            Filter("status", _("Status"), "choice", tuple(OperationalStatus.choices)),
            Filter("site", _("Site (code)"), "site"),
        ),
        columns=(
            *POINT,
            Column("status", _("Status"), "code", "#status", OperationalStatus.choices),
            Column("since", _("Effective from"), "date", "#date+start"),
            Column(
                "restriction", _("Restriction"), "code", "#status+restriction", Restriction.choices
            ),
            Column("inflow", _("Estimated daily inflow"), "int", "#inflow"),
            Column("outflow", _("Estimated daily outflow"), "int", "#outflow"),
        ),
        rows=status_rows,
    )
)
