"""The mobility records as tables (`hbmm.presentation.tables`): one declaration per record type
serves its list page (/mobility/flows/...), the drill-downs of the figures that count it, and
its CSV/XLSX export with HXL hashtags. Registered from MobilityConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from hbmm.mobility import selectors
from hbmm.mobility.models import Direction, MobilityEvent, Need, Reason, Transport
from hbmm.places.selectors import name_in_language
from hbmm.presentation.tables import Column, Filter, Table, register_table

NOT_RECORDED = ("-", _("not recorded"))

START = Filter("start", _("From"), "date")
END = Filter("end", _("To"), "date")
SITE = Filter("site", _("Site (code)"), "site")
AS_OF = Filter("as_of", _("As of"), "date")

SITE_CODE = Column("site__code", _("Site"), "text", "#loc+code")
SITE_NAME = Column("site_name", _("Name"), "text", "#loc+name")
SEX_AGE = (
    Column("men", _("Men"), "int", "#population+m+adults"),
    Column("women", _("Women"), "int", "#population+f+adults"),
    Column("boys", _("Boys"), "int", "#population+m+children"),
    Column("girls", _("Girls"), "int", "#population+f+children"),
)
SOURCE = (
    Column("submission__is_demo", _("Demonstration data"), "bool", "#meta+demo"),
    Column("submission_id", _("Submission"), "submission", "#meta+submission"),
)


def _with_site_name(queryset):
    return queryset.annotate(site_name=name_in_language("site"))


def flow_rows(q):
    f = dict(q.filters)
    for name in ("nationality",):
        if name in f:
            f[name] = f[name].strip().upper()
    return _with_site_name(selectors.flow_counts(scope=q.scope, **f)).order_by(
        "-observation_date", "site__code", "direction", "pk"
    )


def stranded_rows(q):
    return _with_site_name(selectors.stranded_records(scope=q.scope, **q.filters)).order_by(
        "-date", "site__code", "pk"
    )


def mrrc_rows(q):
    f = q.filters
    return _with_site_name(
        selectors.mrrc_records(scope=q.scope, on=f.get("as_of"), site=f.get("site"))
    ).order_by("-date", "site__code")


def displacement_rows(q):
    f = q.filters
    return (
        selectors.displacement_records(
            scope=q.scope,
            round_number=f.get("round"),
            current_on=f.get("as_of"),
            returnees=f.get("returnees"),
            origin=f.get("origin"),
        )
        .annotate(area_name=name_in_language("area"))
        .order_by("-round__reporting_date", "area__pcode", "site__code")
    )


def event_rows(q):
    return selectors.mobility_events(scope=q.scope, **q.filters).order_by("-event_date", "pk")


FLOWS = register_table(
    Table(
        key="mobility.flows",
        title=_("Flow counts"),
        permission="mobility.view_flowcount",
        url_name="mobility:flows",
        description=_("Travellers counted at the flow monitoring points, one row per count."),
        filters=(
            START,
            END,
            SITE,
            Filter("direction", _("Direction"), "choice", tuple(Direction.choices)),
            Filter("nationality", _("Nationality (ISO3, - for none)"), "text"),
            Filter(
                "transport", _("Mode of transport"), "choice", (NOT_RECORDED, *Transport.choices)
            ),
            Filter("reason", _("Reason for travel"), "choice", (NOT_RECORDED, *Reason.choices)),
        ),
        columns=(
            Column("observation_date", _("Observation date"), "date", "#date+observed"),
            SITE_CODE,
            SITE_NAME,
            Column("direction", _("Direction"), "code", "#indicator+direction", Direction.choices),
            Column("total", _("Individuals"), "int", "#population+total"),
            *SEX_AGE,
            Column(
                "unaccompanied_children",
                _("Unaccompanied children"),
                "int",
                "#population+children+unaccompanied",
            ),
            Column("nationality", _("Main nationality"), "text", "#country+code+nationality"),
            Column(
                "nationality_counts",
                _("Individuals per nationality"),
                "counts",
                "#population+nationality+breakdown",
            ),
            Column(
                "transport",
                _("Mode of transport"),
                "code",
                "#indicator+transport",
                Transport.choices,
            ),
            Column("reason", _("Main reason"), "code", "#cause+reason", Reason.choices),
            Column(
                "reason_counts",
                _("Individuals per reason"),
                "counts",
                "#population+reason+breakdown",
            ),
            Column("previous_country", _("Coming from"), "text", "#country+code+origin"),
            Column("next_country", _("Going to"), "text", "#country+code+destination"),
            Column("stranded", _("Stranded"), "int", "#population+stranded"),
            *SOURCE,
        ),
        rows=flow_rows,
    )
)

STRANDED = register_table(
    Table(
        key="mobility.stranded",
        title=_("Stranded migrants"),
        permission="mobility.view_strandedmigrants",
        url_name="mobility:stranded",
        description=_("Groups of stranded migrants counted at the sites."),
        filters=(START, END, SITE),
        columns=(
            Column("date", _("Date"), "date", "#date"),
            SITE_CODE,
            SITE_NAME,
            Column("count", _("Stranded migrants"), "int", "#population+stranded"),
            Column("nationalities", _("Nationalities"), "codes", "#country+code+nationality"),
            Column("needs", _("Main needs"), "codes", "#need", Need.choices),
            Column("note", _("Note"), "text", "#description"),
            *SOURCE,
        ),
        rows=stranded_rows,
    )
)

MRRC = register_table(
    Table(
        key="mobility.mrrc",
        title=_("MRRC occupancy"),
        permission="mobility.view_mrrcoccupancy",
        url_name="mobility:mrrc",
        description=_(
            "Occupancy reports of the migrant resource and response centres; as of a date, each "
            "centre's latest report on or before it and at most 31 days old."
        ),
        filters=(AS_OF, SITE),
        columns=(
            Column("date", _("Report date"), "date", "#date+reported"),
            SITE_CODE,
            SITE_NAME,
            Column("total", _("Migrants present"), "int", "#population+total"),
            *SEX_AGE,
            *SOURCE,
        ),
        rows=mrrc_rows,
    )
)

DISPLACEMENT = register_table(
    Table(
        key="mobility.displacement",
        title=_("Displacement figures"),
        permission="mobility.view_displacementfigure",
        url_name="mobility:displacement",
        description=_(
            "Internally displaced persons per round and area; as of a date, each area's rows of "
            "its latest round reported on or before it."
        ),
        filters=(
            Filter("round", _("Round"), "int"),
            AS_OF,
            Filter(
                "returnees",
                _("Returnees"),
                "choice",
                (
                    ("any", _("Returnees")),
                    ("idp", _("IDP returnees")),
                    ("abroad", _("Returnees from abroad")),
                ),
            ),
            Filter("origin", _("Returnees from (P-code or ISO3)")),
        ),
        columns=(
            Column("round__number", _("Round"), "int", "#meta+round"),
            Column("round__reporting_date", _("Reporting date"), "date", "#date+reported"),
            Column("area__pcode", _("Admin area P-code"), "text", "#adm2+code"),
            Column("area_name", _("Admin area"), "text", "#adm2+name"),
            Column("site__code", _("IDP site"), "text", "#loc+code"),
            Column("households", _("Households"), "int", "#affected+idps+hh"),
            Column("total", _("IDPs"), "int", "#affected+idps+ind"),
            Column("returnees", _("Returnees"), "int", "#population+returnees"),
            Column("idp_returnees", _("IDP returnees"), "int", "#population+returnees+idps"),
            Column(
                "idp_returnee_origins",
                _("IDP returnees per area of origin"),
                "counts",
                "#population+returnees+idps+origin",
            ),
            Column(
                "returnees_abroad",
                _("Returnees from abroad"),
                "int",
                "#population+returnees+abroad",
            ),
            Column(
                "abroad_returnee_origins",
                _("Returnees from abroad per country of origin"),
                "counts",
                "#population+returnees+abroad+origin",
            ),
            Column("reason", _("Reason"), "text", "#cause"),
            Column("period", _("Period"), "text", "#date+period"),
            *SOURCE,
        ),
        rows=displacement_rows,
    )
)

EVENTS = register_table(
    Table(
        key="mobility.events",
        title=_("Mobility events"),
        permission="mobility.view_mobilityevent",
        url_name="mobility:events",
        description=_("Events that moved people: floods, attacks, evictions, closures..."),
        filters=(
            START,
            END,
            Filter("event_type", _("Type"), "choice", tuple(MobilityEvent.Type.choices)),
        ),
        columns=(
            Column("event_date", _("Date"), "date", "#date+event"),
            Column("event_type", _("Type"), "code", "#event+type", MobilityEvent.Type.choices),
            Column("area__pcode", _("Admin area P-code"), "text", "#loc+pcode"),
            Column("site__code", _("Site"), "text", "#loc+code"),
            Column("households", _("Households affected"), "int", "#affected+hh"),
            Column("individuals", _("Individuals affected"), "int", "#affected+ind"),
            Column("from_location", _("From"), "text", "#loc+origin"),
            Column("to_location", _("To"), "text", "#loc+destination"),
            Column("needs", _("First needs"), "codes", "#need", Need.choices),
            Column("description", _("Description"), "text", "#description"),
            Column("source", _("Source"), "text", "#meta+source"),
            *SOURCE,
        ),
        rows=event_rows,
    )
)
