"""The community feedback log as a table (`hbmm.presentation.tables`): its list page, the
drill-down of every feedback figure and its CSV/XLSX export. What was said and the answer are
gated on `publishable` (the table registry reads them only for entries a reviewer marked
publishable); a consented name is in no table at all. Registered from feedback.setup.ready()."""

from django.utils.translation import gettext_lazy as _

from hbmm.feedback import selectors
from hbmm.feedback.models import Feedback
from hbmm.presentation.tables import Column, Filter, Table, register_table

UNCODED = ("-", _("not coded yet"))


def feedback_rows(q):
    f = dict(q.filters)
    for name in ("kind", "topic"):
        if f.get(name) == "-":
            f.pop(name)
            f["uncoded"] = True
    return selectors.feedback_list(scope=q.scope, **f).order_by("-received_at", "-pk")


STATUS_CHOICES = (
    ("pending", _("waiting for an answer (open or referred)")),
    *tuple(Feedback.Status.choices),
)

LOG = register_table(
    Table(
        key="feedback.log",
        title=_("Community feedback"),
        permission="feedback.view_feedback",
        url_name="feedback:table",
        description=_(
            "Rumours, questions, suggestions, complaints and praise received from the "
            "communities, one row per entry. What was said and the answer are shown only for "
            "entries a reviewer marked publishable."
        ),
        filters=(
            Filter("start", _("From"), "date"),
            Filter("end", _("To"), "date"),
            Filter("site", _("Site (code)"), "site"),
            Filter("channel", _("Channel"), "choice", tuple(Feedback.Channel.choices)),
            Filter("kind", _("Type"), "choice", (UNCODED, *tuple(Feedback.Kind.choices))),
            Filter("topic", _("Topic"), "choice", (UNCODED, *tuple(Feedback.Topic.choices))),
            Filter("status", _("Status"), "choice", STATUS_CHOICES),
            Filter("publishable", _("Publishable only"), "bool"),
        ),
        columns=(
            Column("id", _("Entry"), "int", "#meta+id"),
            Column("received_at", _("Received at"), "datetime", "#date+received"),
            Column("channel", _("Channel"), "code", "#channel", tuple(Feedback.Channel.choices)),
            Column("area__pcode", _("Admin area P-code"), "text", "#loc+area+code"),
            Column("site__code", _("Site"), "text", "#loc+code"),
            Column(
                "source_type",
                _("From whom"),
                "code",
                "#group+source",
                tuple(Feedback.SourceType.choices),
            ),
            Column("kind", _("Type"), "code", "#indicator+type", tuple(Feedback.Kind.choices)),
            Column("topic", _("Topic"), "code", "#indicator+topic", tuple(Feedback.Topic.choices)),
            Column(
                "sensitivity",
                _("Sensitivity"),
                "code",
                "#severity",
                tuple(Feedback.Sensitivity.choices),
            ),
            Column("status", _("Status"), "code", "#status", tuple(Feedback.Status.choices)),
            Column("answered_at", _("Answered at"), "datetime", "#date+answered"),
            Column("responder", _("Answered by"), "text", "#contact+responder"),
            Column("referred_to", _("Referred to"), "text", "#org+referral"),
            Column("signal_id", _("Community signal"), "int", "#event+signal+id"),
            Column("publishable", _("Publishable"), "bool", "#status+publishable"),
            Column("text", _("What was said"), "text", "#description", gate="publishable"),
            Column("answer", _("Answer given"), "text", "#response", gate="publishable"),
            Column("submission__is_demo", _("Demonstration data"), "bool", "#meta+demo"),
            Column("submission_id", _("Submission"), "submission", "#meta+submission"),
        ),
        rows=feedback_rows,
    )
)
