"""The 4W template of a plan and a reporting period: an XLSX workbook whose first sheet has the
columns the file import reads (kind `activity_report`), and whose other sheets list the codes
to use (the plan's reported indicators with what each asks for, the organisations, the
choices). Cells are written through `hbmm.exports.neutralised` (no formula reaches a sheet)."""

import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from hbmm.exports import neutralised
from hbmm.response.models import Channel, Indicator, Organisation, ParticipantRole, Plan, Status

COLUMNS = (
    "month",
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


def _cell(value):
    return neutralised(str(value)) if isinstance(value, str) else value


def template_bytes(*, plan: Plan, month: dt.date, organisation: Organisation | None) -> bytes:
    book = Workbook(write_only=True)
    rows = book.create_sheet(title="4W")
    rows.append(list(COLUMNS))
    indicators = book.create_sheet(title=_("Indicators")[:31])
    indicators.append(
        [
            _("Code"),
            _("Pillar"),
            _("Indicator"),
            _("Unit"),
            _("Disaggregation"),
            _("Kind of report"),
        ]
    )
    for indicator in (
        Indicator.objects.filter(plan=plan, source=Indicator.Source.REPORTED)
        .select_related("activity__pillar")
        .order_by("activity__pillar__number", "code")
    ):
        indicators.append(
            [
                _cell(v)
                for v in (
                    indicator.code,
                    indicator.activity.pillar.name,
                    indicator.name,
                    indicator.unit,
                    str(indicator.get_disaggregation_display()),
                    str(indicator.get_report_kind_display()),
                )
            ]
        )
    organisations = book.create_sheet(title=_("Organisations")[:31])
    organisations.append([_("Code"), _("Name"), _("Type")])
    for org in Organisation.objects.exclude(kind=Organisation.Kind.DONOR).order_by("code"):
        organisations.append([_cell(org.code), _cell(org.name), str(org.get_kind_display())])
    choices = book.create_sheet(title=_("Choices")[:31])
    choices.append([_("Column"), _("Code"), _("Meaning")])
    choices.append(["month", month.strftime("%Y-%m"), _("the reporting period of this template")])
    if organisation is not None:
        choices.append(["organisation", _cell(organisation.code), _("your organisation")])
    for column, values in (
        ("status", Status.choices),
        ("participant_role", ParticipantRole.choices),
        ("channel", Channel.choices),
    ):
        for code, label in values:
            choices.append([column, code, str(label)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
