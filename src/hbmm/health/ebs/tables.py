"""Community signals as a table (`hbmm.presentation.tables`): the records behind the signal
figures, their list in the API and their export. No free text (descriptions, notes) and no
reporter: a signal's words may name people. Registered from ebs.setup."""

from django.utils.translation import gettext_lazy as _

from hbmm.health.ebs import selectors
from hbmm.health.ebs.models import Signal
from hbmm.presentation.tables import Column, Filter, Table, register_table


def signal_rows(q):
    f = q.filters
    queryset = selectors.signal_list(
        scope=q.scope,
        status=f.get("status", ""),
        kind=f.get("kind", ""),
        start=f.get("start"),
        end=f.get("end"),
    )
    if f.get("site"):
        queryset = queryset.filter(site=f["site"])
    return queryset.order_by("-reported_at", "pk")


SIGNALS = register_table(
    Table(
        key="health.signals",
        title=_("Community signals"),
        permission="health.view_signal",
        description=_(
            "Signals reported by the community focal points, with their triage and verification "
            "(without their descriptions)."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("kind", _("Type"), "choice", tuple(Signal.Kind.choices)),
            Filter("status", _("Status"), "choice", tuple(Signal.Status.choices)),
            Filter("site", _("Site (code)"), "site"),
        ),
        columns=(
            Column("reported_at", _("Reported at"), "datetime", "#date+reported"),
            Column("emerged_on", _("Date of emergence"), "date", "#date+emergence"),
            Column(
                "emergence_kind",
                _("Emergence: first case or first sign"),
                "code",
                "#meta+emergence",
                tuple(Signal.Emergence.choices),
            ),
            Column("detected_at", _("Detected at"), "datetime", "#date+detected"),
            Column("area__pcode", _("Admin area P-code"), "text", "#adm2+code"),
            Column("site__code", _("Site"), "text", "#loc+code"),
            Column("kind", _("Type"), "code", "#event+type", tuple(Signal.Kind.choices)),
            Column("people_affected", _("People affected"), "int", "#affected"),
            Column("status", _("Status"), "code", "#status", tuple(Signal.Status.choices)),
            Column("triaged_at", _("Triaged at"), "datetime", "#date+triaged"),
            Column("verified_at", _("Verified at"), "datetime", "#date+verified"),
            Column("event__opened_at", _("Event opened at"), "datetime", "#date+event"),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=signal_rows,
    )
)
