"""The access matrix, generated from the URL map: every URL pattern (nested includes and the
admin site included) x every role of the role files (and a signed-in user without a role, and
an anonymous visitor) x a record in the user's scope and one outside it x the methods the view
accepts, with the status expected.

Expectations come from ENTRIES, one per URL name: the permission(s) the view needs, whether it
is scoped to the reader (a record outside the scope is not found: 404) and how to build its
arguments for the record in scope and the one outside it. A URL pattern without an entry fails
`test_every_url_pattern_has_an_entry`, naming it: a new view cannot be added unchecked.

The users of a role are two: one scoped to Kayes (ML01), one to Sikasso (ML03). The demo
records exist once in each region; the Kayes user asks for the Kayes record (in scope) and
for the Sikasso one (out of scope); records owned by a user (jobs, import files) are the Kayes
user's and the Sikasso user's of the same role. The world is built once for the module (in a
transaction rolled back at its end); every test runs in a savepoint of it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hbmm.accounts.models import User
from hbmm.accounts.roles import role_definitions
from hbmm.accounts.scope import restrict_to_scope
from hbmm.accounts.services import user_scope_set
from hbmm.feedback.services import feedback_log
from hbmm.health.ebs.services import focal_point_register, signal_create
from hbmm.health.epi.models import EpiValue
from hbmm.health.labs.services import laboratory_save, sample_take
from hbmm.health.screening.intake_mappers import FORM_ID as SCREENING_FORM
from hbmm.health.screening.services import screening_create
from hbmm.intake.channels.files import import_file_store
from hbmm.intake.models import ImportFile, Submission
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.intake.selectors import import_file_list
from hbmm.jobs.models import Job
from hbmm.places.models import AdminArea, Site
from hbmm.places.services import site_registry_import
from hbmm.presentation.tables import _TABLES
from hbmm.reports.models import PublishedReport
from hbmm.response.models import Activity
from hbmm.supplies.models import Item, Transfer
from hbmm.supplies.services import catalogue_load, holder_for_site

PASSWORD = "correct horse battery"
IN, OUT = "in", "out"
REGION = {IN: "ML01", OUT: "ML03"}  # Kayes, Sikasso
ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
ROLES = [*role_definitions(), NO_ROLE, ANONYMOUS]
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"

COUNTS: Counter = Counter()  # combinations tested, printed by test_zz_matrix_size


# --- the URL map ----------------------------------------------------------------------------


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(key, route, pattern) of every pattern, nested includes walked; the key is the URL's
    name with its namespaces, or its route when it has no name."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = route
            yield key, route, pattern


# --- the declared expectations --------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What one URL needs.

    perms: permissions needed per method (all of them), "*" for every method; () = any
        signed-in user. A callable(world) -> perms is allowed for the table pages.
    scoped: a record outside the reader's scope is not found (404); `unscoped_with` names a
        permission that lifts it (administrators see every job). `late_perms`: permissions
        the view checks once it holds the record (so 404 outside the scope, 403 inside).
    kwargs / query: the URL's arguments and query string for the record in or out of scope
        (functions of the world and IN/OUT); no `scoped` and no OUT variant: asked once.
    ok: the status of an allowed request, per method.
    denied: the status without the permission (403; 404 where unknown and forbidden look
        alike, as OpenRosa form downloads).
    auth: "session" (login_required: anonymous is sent to the login page), "basic" (OpenRosa:
        401 without credentials), "public" (no sign-in needed), "admin" (staff only).
    """

    perms: dict | Callable = field(default_factory=dict)
    scoped: bool = False
    late_perms: dict = field(default_factory=dict)  # checked after the scope (403 in scope)
    unscoped_with: str = ""
    kwargs: Callable | None = None
    query: Callable | None = None
    methods: tuple[str, ...] = ("GET",)
    ok: dict = field(default_factory=lambda: {"GET": 200, "POST": 302})
    denied: int = 403
    anonymous: int | None = None  # the status for an anonymous visitor when not the usual
    auth: str = "session"
    data: dict = field(default_factory=dict)  # POST body
    check: Callable | None = None  # check(response, world, scope): content checks (leaks)
    any_perm: bool = False  # one of `perms` is enough (not all of them)

    def needs(self, method: str, world) -> tuple[str, ...]:
        perms = self.perms(world) if callable(self.perms) else self.perms
        return tuple(perms.get(method, perms.get("*", ())))


def P(*perms: str) -> dict:
    return {"*": perms}


def area_query(world, where):
    return {"area": REGION[where]}


def _activity_pk(pillar: str, code: str) -> int:
    return Activity.objects.get(pillar__code=pillar, code=code).pk


def table_entry(key: str, **extra) -> Entry:
    return Entry(
        perms=lambda world: P(_TABLES[key].permission), scoped=True, query=area_query, **extra
    )


def no_site_outside(response, world, where):
    """A list in scope names no site of the other region."""
    if where == IN and response.status_code == 200:
        text = response.content.decode()
        assert "BCP-ZEGOUA" not in text, "a Sikasso site is listed to a Kayes user"


def no_sample_outside(response, world, where):
    """A sample list in scope names no sample of the other region."""
    if where == IN and response.status_code == 200:
        assert "SMP-OUT" not in response.content.decode(), "a Sikasso sample is listed in Kayes"


REVIEW_FLOWS = ("intake.review_submission", "mobility.add_flowcount")

ENTRIES: dict[str, Entry] = {
    # Language switch and the home page.
    "set_language": Entry(
        methods=("GET", "POST"),
        auth="public",
        ok={"GET": 302, "POST": 302},
        data={"language": "en"},
    ),
    "home": Entry(perms=P("reports.view_situation"), scoped=True, query=area_query),
    # The health probe: public, no data (the database and Redis answer or not).
    "healthz": Entry(auth="public", ok={"GET": 200}, anonymous=200),
    # Protection: the role gates. No case exists in the world: a case page asked for by an
    # unknown key answers 403 without the permission, 404 with it (the permission is checked
    # before the record); owner, team, GBV and scope rules are tests/protection's.
    "protection:index": Entry(perms=P("protection.view_referral")),
    "protection:case_list": Entry(perms=P("protection.view_case")),
    "protection:case_new": Entry(perms=P("protection.add_case")),
    "protection:sites": Entry(perms=P("protection.view_sitemonitoring")),
    **{
        name: Entry(perms=P(perm), kwargs=lambda w, s: {"case_key": "PC-NOTHING"}, ok={"GET": 404})
        for name, perm in (
            ("protection:case_detail", "protection.view_case"),
            ("protection:case_edit", "protection.change_case"),
            ("protection:case_glass", "protection.break_glass"),
        )
    },
    "protection:case_action": Entry(
        perms=P("protection.view_case"),
        methods=("POST",),
        kwargs=lambda w, s: {"case_key": "PC-NOTHING", "action": "status"},
        ok={"POST": 404},
    ),
    "protection:referral_detail": Entry(
        perms=P("protection.view_referral"), kwargs=lambda w, s: {"pk": 0}, ok={"GET": 404}
    ),
    "protection:referral_action": Entry(
        methods=("POST",), kwargs=lambda w, s: {"pk": 0, "action": "respond"}, ok={"POST": 404}
    ),
    # My account's API tokens (POST only; another user's token is not found).
    "accounts:api_token_new": Entry(methods=("POST",), ok={"POST": 200}, data={"name": "m"}),
    "accounts:api_token_revoke": Entry(
        methods=("POST",), kwargs=lambda w, s: {"pk": 0}, ok={"POST": 404}
    ),
    # Accounts.
    "accounts:login": Entry(auth="public", ok={"GET": 302}, anonymous=200),
    "accounts:logout": Entry(methods=("POST",), ok={"POST": 302}, anonymous=302),
    "accounts:me": Entry(),
    "accounts:password_change": Entry(methods=("GET", "POST"), ok={"GET": 200, "POST": 200}),
    "accounts:password_change_done": Entry(),
    # Places.
    "places:site_list": Entry(perms=P("places.view_site"), check=no_site_outside),
    "places:site_import": Entry(
        perms=P("places.add_site"), methods=("GET", "POST"), ok={"GET": 200, "POST": 400}
    ),
    "places:site_detail": Entry(
        perms=P("places.view_site"), scoped=True, kwargs=lambda w, s: {"code": w.site[s]}
    ),
    "places:area_list": Entry(perms=P("places.view_adminarea")),
    # Intake.
    "intake:submissions": Entry(perms=P("intake.view_submission"), check=no_site_outside),
    "intake:quarantine": Entry(perms=P("intake.review_submission")),
    "intake:submission": Entry(
        # Correcting needs the review permission and the form's (flow counts), checked once
        # the submission is found in scope.
        perms=P("intake.view_submission"),
        late_perms={"POST": REVIEW_FLOWS},
        scoped=True,
        kwargs=lambda w, s: {"pk": w.submission[s]},
        methods=("GET", "POST"),
        ok={"GET": 200, "POST": 200},  # the empty correction form, shown again
    ),
    "intake:reprocess": Entry(
        perms=P("intake.review_submission"),
        late_perms=P(*REVIEW_FLOWS),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.submission[s]},
        methods=("POST",),
    ),
    "intake:imports": Entry(
        perms=P("intake.add_importfile"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "intake:import-template": Entry(
        perms=P("intake.add_importfile", "mobility.add_flowcount"),
        kwargs=lambda w, s, role=None: {"kind": "flow_count", "fmt": "xlsx"},
    ),
    "intake:import-example": Entry(
        perms=P("intake.add_importfile", "mobility.add_flowcount"),
        kwargs=lambda w, s, role=None: {"kind": "flow_count", "fmt": "csv"},
    ),
    **{
        name: Entry(
            perms=P("intake.add_importfile"),
            scoped=True,
            kwargs=lambda w, s, role=None: {"pk": w.import_file[s]},
            methods=methods,
        )
        for name, methods in (
            ("intake:import", ("GET",)),
            ("intake:import-progress", ("GET",)),
            ("intake:import-rerun", ("POST",)),
            ("intake:import-report", ("GET",)),
            ("intake:import-original", ("GET",)),
        )
    },
    # OpenRosa (HTTP Basic over HTTPS; a form the user may not fill is "not found").
    "openrosa-form-list": Entry(auth="basic"),
    "openrosa-submission": Entry(
        auth="basic",
        perms={"POST": ("intake.submit_data",)},  # GET: 405 for everyone
        methods=("GET", "POST"),
        ok={"GET": 405, "POST": 400},
        anonymous=401,
    ),
    **{
        name: Entry(
            auth="basic",
            perms=P("intake.submit_data", "health.add_screening"),
            kwargs=kwargs,
            denied=404,
            check=check,
        )
        for name, kwargs, check in (
            ("openrosa-form-xml", lambda w, s: {"form_id": SCREENING_FORM}, None),
            ("openrosa-manifest", lambda w, s: {"form_id": SCREENING_FORM}, None),
            (
                "openrosa-media",
                lambda w, s: {"form_id": SCREENING_FORM, "filename": "sites.csv"},
                no_site_outside,
            ),
        )
    },
    # Mobility.
    "supplies:index": Entry(perms=P("supplies.view_movement"), scoped=True, query=area_query),
    "supplies:ledger": table_entry("supplies.movements"),
    "supplies:transfers": table_entry("supplies.transfers"),
    "supplies:stock": table_entry("supplies.stock"),
    "supplies:gaps": table_entry("supplies.gaps"),
    **{
        f"supplies:{name}": Entry(
            perms=P(permission), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
        )
        for name, permission in (
            ("receipt_new", "supplies.record_receipt"),
            ("dispatch_new", "supplies.dispatch_stock"),
            ("distribution_new", "supplies.distribute_stock"),
            ("adjust_new", "supplies.adjust_stock"),
        )
    },
    "supplies:transfer_receive": Entry(
        perms=P("supplies.receive_transfer"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.transfer[s]},
        methods=("GET", "POST"),
        ok={"GET": 200, "POST": 200},
    ),
    "mobility:index": Entry(perms=P("mobility.view_flowcount"), scoped=True, query=area_query),
    "mobility:flows": table_entry("mobility.flows"),
    # Response: the plan, 4W rows (partners: their organisation's only), periods, funding.
    "response:index": Entry(perms=P("response.view_indicator"), scoped=True, query=area_query),
    "response:plan": Entry(perms=P("response.view_plan")),
    # Editing the plan: a new version of a target (POST), an activity added or changed (an
    # empty POST: the form again, 200, for those allowed; nothing written).
    "response:indicator": Entry(
        perms={"GET": ("response.view_indicator",), "POST": ("response.add_target",)},
        kwargs=lambda w, s: {"code": "radio-spots"},
        methods=("GET", "POST"),
        data={"value": "12", "note": "access matrix"},
    ),
    "response:activity_new": Entry(
        perms=P("response.add_activity"),
        kwargs=lambda w, s: {"pillar": "rcce"},
        methods=("GET", "POST"),
        ok={"GET": 200, "POST": 200},
    ),
    "response:activity_edit": Entry(
        perms=P("response.change_activity"),
        kwargs=lambda w, s: {"pk": _activity_pk("rcce", "awareness")},
        methods=("GET", "POST"),
        ok={"GET": 200, "POST": 200},
    ),
    "response:reports": table_entry("response.reports"),
    "response:report_new": Entry(perms=P("response.add_activityreport")),
    "response:template": Entry(perms=P("response.add_activityreport")),
    "response:periods": Entry(perms=P("response.view_reportingperiod")),
    "response:period_lock": Entry(
        perms=P("response.lock_reportingperiod"),
        kwargs=lambda w, s: {"month": "2020-05"},
        methods=("POST",),
        ok={"POST": 404},
    ),
    "response:funding_table": table_entry("response.funding"),
    "response:contributions": table_entry("response.contributions"),
    "response:contribution_new": Entry(perms=P("response.add_contribution")),
    "response:expenditures": table_entry("response.expenditures"),
    "mobility:stranded": table_entry("mobility.stranded"),
    "reports:reporting": table_entry("reports.reporting"),
    "mobility:mrrc": table_entry("mobility.mrrc"),
    "mobility:displacement": table_entry("mobility.displacement"),
    "mobility:events": table_entry("mobility.events"),
    # Health: epidemiology.
    "health:epi": Entry(perms=P("health.view_epivalue"), scoped=True, query=area_query),
    "health:epi_curve": Entry(perms=P("health.view_epivalue"), scoped=True, query=area_query),
    "health:epi_values": table_entry("health.epi_values"),
    "health:epi_import": Entry(
        perms=P("health.add_epivalue"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:epi_bulletin": Entry(
        perms=P("health.add_epivalue"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    # Health: points of entry.
    "health:capacity": Entry(perms=P("health.view_capacityassessment")),
    "health:capacity_gaps": Entry(perms=P("health.view_capacityassessment")),
    "health:capacity_list": table_entry("health.capacity_assessments"),
    "health:capacity_new": Entry(
        perms=P("health.add_capacityassessment"),
        methods=("GET", "POST"),
        ok={"GET": 200, "POST": 200},
    ),
    "health:status": Entry(perms=P("health.view_poestatus")),
    "health:status_geojson": Entry(perms=P("health.view_poestatus"), check=no_site_outside),
    "health:status_new": Entry(
        perms=P("health.add_poestatus"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:status_history": Entry(
        perms=P("health.view_poestatus"), scoped=True, kwargs=lambda w, s: {"code": w.poe[s]}
    ),
    # Health: screening.
    "health:screening_dashboard": Entry(perms=P("health.view_screening_figures")),
    "health:screening_list": Entry(perms=P("health.view_screening"), check=no_site_outside),
    "health:screening_new": Entry(
        perms=P("health.add_screening"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:case_definitions": Entry(perms=P("health.view_casedefinition")),
    "health:followup_worklist": Entry(perms=P("health.view_followupvisit"), check=no_site_outside),
    "health:screening_detail": Entry(
        perms=P("health.view_screening"), scoped=True, kwargs=lambda w, s: {"pk": w.screening[s]}
    ),
    "health:screening_action": Entry(
        perms=P("health.change_screening"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.screening[s], "action": "decide"},
        methods=("POST",),
    ),
    # Health: laboratories and samples (samples are scoped by the point where they were taken
    # and by their laboratory; the registry's records by their laboratory's site).
    "health:labs_dashboard": Entry(perms=P("health.view_lab_figures")),
    "health:lab_registry": Entry(perms=P("health.view_laboratory")),
    "health:lab_new": Entry(
        perms=P("health.add_laboratory"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:lab_edit": Entry(
        perms=P("health.change_laboratory"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.laboratory[s]},
    ),
    "health:sample_list": Entry(perms=P("health.view_sample"), check=no_sample_outside),
    "health:sample_new": Entry(
        perms=P("health.add_sample"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:sample_detail": Entry(
        perms=P("health.view_sample"), scoped=True, kwargs=lambda w, s: {"pk": w.sample[s]}
    ),
    "health:sample_action": Entry(
        perms=P("health.change_sample"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.sample[s], "action": "receive"},
        methods=("POST",),
    ),
    # Health: event-based surveillance.
    "health:signals_board": Entry(perms=P("health.view_signal")),
    "health:signal_list": Entry(perms=P("health.view_signal")),
    "health:signal_new": Entry(
        perms=P("health.add_signal"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:signal_detail": Entry(
        perms=P("health.view_signal"), scoped=True, kwargs=lambda w, s: {"pk": w.signal[s]}
    ),
    "health:signal_action": Entry(
        perms=P("health.change_signal"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.signal[s], "action": "triage"},
        methods=("POST",),
    ),
    "health:signals_717": Entry(perms=P("health.view_healthevent")),
    "health:focal_point_list": Entry(perms=P("health.view_focalpoint")),
    "health:focal_point_new": Entry(
        perms=P("health.add_focalpoint"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "health:focal_point_edit": Entry(
        perms=P("health.change_focalpoint"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.focal_point[s]},
        methods=("GET", "POST"),
        ok={"GET": 200, "POST": 200},
    ),
    "health:focal_point_active": Entry(
        perms=P("health.change_focalpoint"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.focal_point[s]},
        methods=("POST",),
    ),
    # Community feedback.
    "feedback:index": Entry(perms=P("feedback.view_feedback")),
    "feedback:table": table_entry("feedback.log"),
    "feedback:new": Entry(
        perms=P("feedback.add_feedback"), methods=("GET", "POST"), ok={"GET": 200, "POST": 200}
    ),
    "feedback:detail": Entry(
        perms=P("feedback.view_feedback"), scoped=True, kwargs=lambda w, s: {"pk": w.feedback[s]}
    ),
    "feedback:action": Entry(
        perms=P("feedback.change_feedback"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.feedback[s], "action": "code"},
        methods=("POST",),
    ),
    # Reports.
    "reports:overview": Entry(perms=P("reports.view_situation"), scoped=True, query=area_query),
    "reports:report": Entry(
        perms=P("reports.view_situation"),
        scoped=True,
        query=lambda w, s: {"area": REGION[s], "format": "md", "lang": "en"},
    ),
    "reports:boundaries": Entry(kwargs=lambda w, s: {"level": 1}),
    "reports:published_list": Entry(perms=P("reports.view_situation")),
    "reports:published_detail": Entry(
        perms=P("reports.view_situation"), scoped=True, kwargs=lambda w, s: {"pk": w.published[s]}
    ),
    "reports:published_pdf": Entry(
        perms=P("reports.view_situation"),
        scoped=True,
        kwargs=lambda w, s: {"pk": w.published[s], "lang": "en"},
    ),
    # Publishing the report of the reader's own region (a worker archives it, inline here).
    "reports:publish": Entry(
        perms=P("reports.publish_report"),
        methods=("POST",),
        data={"as_of": "2020-04-20", "area": "ML01"},
    ),
    # reports:drilldown is expanded below, one entry per registered table.
    # Jobs: a user's own jobs (administrators: every job).
    "jobs:list": Entry(perms=P("jobs.view_job")),
    **{
        name: Entry(
            scoped=True,
            unscoped_with="jobs.view_all_jobs",
            kwargs=lambda w, s, role=None: {"pk": w.job[s]},
            methods=methods,
        )
        for name, methods in (
            ("jobs:detail", ("GET",)),
            ("jobs:status", ("GET",)),
            ("jobs:file", ("GET",)),
            ("jobs:rerun", ("POST",)),
        )
    },
}

# The admin site: staff only; every other user is sent to the admin's login page. Its patterns
# are generated from the models registered with it, so the rule covers them by their shape.
ADMIN_PUBLIC = {"admin:login": 200}
ADMIN_REDIRECTS = {"admin:logout": "/admin/"}  # where a non-staff user is sent, if not the login


API = {"anonymous": 401}  # DRF: no credentials, 401 (never a login page)


def api_entries() -> dict[str, Entry]:
    """/api/v1/: the endpoints of every registered table (the table's permission, ?area=
    outside the scope is 404), a record's detail (the world's records where it has them; else
    an unknown id: 403 without the permission, 404 with it), and the API's own endpoints."""
    records = {"health.screenings": "screening", "health.signals": "signal"}
    entries = {
        "api:me": Entry(**API),
        "api:schema": Entry(**API),
        "api:not-found": Entry(kwargs=lambda w, s: {"rest": "nothing/"}, ok={"GET": 404}, **API),
        "api:figures": Entry(
            perms=P("reports.view_situation"), scoped=True, query=area_query, **API
        ),
        "api:submissions": Entry(ok={"GET": 405}, **API),
        "api:imports": Entry(ok={"GET": 405}, **API),
        # A submission's status: to its readers and to those who may send (in their scope).
        "api:submission": Entry(
            perms=P("intake.view_submission", "intake.submit_data"),
            any_perm=True,
            scoped=True,
            kwargs=lambda w, s: {"pk": w.submission[s]},
            **API,
        ),
        "api:import": Entry(
            perms=P("intake.add_importfile"),
            scoped=True,
            kwargs=lambda w, s, role=None: {"pk": w.import_file[s]},
            **API,
        ),
        "api:screening-identifiers": Entry(
            perms=P("health.view_screening"),
            scoped=True,
            late_perms={"*": ("health.view_identifiers",)},
            kwargs=lambda w, s: {"pk": w.screening[s]},
            **API,
        ),
    }
    names = {key for key, _route, _p in url_patterns()}
    for key in sorted(_TABLES):
        app, _dot, table = key.partition(".")
        perms = (lambda k: lambda world: P(_TABLES[k].permission))(key)
        entries[f"api:{app}-{table}-list"] = Entry(
            perms=perms, scoped=True, query=area_query, **API
        )
        detail = f"api:{app}-{table}-detail"
        if detail not in names:
            continue
        if key in records:
            attr = records[key]
            entries[detail] = Entry(
                perms=perms,
                scoped=True,
                kwargs=(lambda a: lambda w, s: {"pk": getattr(w, a)[s]})(attr),
                **API,
            )
        else:
            entries[detail] = Entry(
                perms=perms, kwargs=lambda w, s: {"pk": 0}, ok={"GET": 404}, **API
            )
    return {k: v for k, v in entries.items() if k in names}


def drilldown_entries() -> dict[str, Entry]:
    """reports:drilldown/<key>/ for every registered table, each with its own permission."""
    return {f"reports:drilldown[{key}]": table_entry(key) for key in sorted(_TABLES)}


def is_admin(key: str, route: str) -> bool:
    return key.startswith("admin:") or route.startswith("admin/")


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    users: dict  # role -> {IN: user, OUT: user}
    site: dict
    poe: dict
    submission: dict
    signal: dict
    screening: dict
    epi: dict
    job: dict  # per role: {IN: pk, OUT: pk}, but flattened for the current role in `for_role`
    import_file: dict
    jobs_by_role: dict = field(default_factory=dict)
    imports_by_role: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)
    transfer: dict = field(default_factory=dict)  # a supplies transfer to each region's post
    sample: dict = field(default_factory=dict)  # a sample taken at each region's point
    laboratory: dict = field(default_factory=dict)  # a mobile laboratory in each region
    focal_point: dict = field(default_factory=dict)  # the EBS reporter of each region
    published: dict = field(default_factory=dict)  # a published report of each region

    def for_role(self, role: str) -> World:
        """The world as the Kayes user of `role` sees it: its own job and import file in
        scope, the Sikasso user's of the same role out of it."""
        self.job = self.jobs_by_role.get(role, {IN: 0, OUT: 0})
        self.import_file = self.imports_by_role.get(role, {IN: 0, OUT: 0})
        return self


def _user(role: str | None, username: str, region: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user_scope_set(user=user, areas=[AdminArea.objects.get(pcode=region)], sites=[])
    return user


def _flow_submission(site_code: str, instance_id: str, submitter) -> int:
    """A flow count put in quarantine (a negative count), filed under its site: what a
    reviewer corrects or reprocesses."""
    received = submission_receive(
        channel="web",
        form_id="flow_count",
        instance_id=instance_id,
        payload=instance_id,
        payload_format="json",
        data={
            "observation_date": "2020-04-28",
            "site": site_code,
            "direction": "incoming",
            "men": "-3",
            "women": "1",
            "boys": "0",
            "girls": "0",
        },
        submitter=submitter,
    )
    submissions_process([received.submission])
    submission = Submission.objects.get(pk=received.submission.pk)
    assert submission.status == Submission.Status.QUARANTINED, submission.status
    assert submission.site is not None and submission.site.code == site_code, submission.errors
    return submission.pk


def build_world(tmp_media) -> World:
    from hbmm.response.services import shipped_plan_load

    shipped_plan_load()
    users = {
        role: {
            IN: _user(None if role == NO_ROLE else role, f"{role}-kayes", REGION[IN]),
            OUT: _user(None if role == NO_ROLE else role, f"{role}-sikasso", REGION[OUT]),
        }
        for role in ROLES
        if role != ANONYMOUS
    }
    officer = users["im_officer"][IN]
    reporter = {
        where: focal_point_register(
            key=f"CFP-{where}",
            name=f"Focal point {where}",
            area=AdminArea.objects.get(pcode=pcode),
        )
        for where, pcode in ((IN, "ML0103"), (OUT, "ML0302"))
    }
    when = dt.datetime(2020, 4, 20, 10, 0, tzinfo=dt.UTC)
    poe = {IN: "BCP-DIBOLI", OUT: "BCP-ZEGOUA"}
    signal = {
        where: signal_create(
            reporter=reporter[where],
            reported_at=when,
            kind="unexplained_deaths",
            area=AdminArea.objects.get(pcode=reporter[where].area.pcode),
            people_affected=3,
        ).pk
        for where in (IN, OUT)
    }
    feedback = {
        where: feedback_log(
            received_at=when,
            channel="hotline",
            text="On dit que la frontière rouvre lundi.",
            area=AdminArea.objects.get(pcode=pcode),
        ).pk
        for where, pcode in ((IN, "ML0103"), (OUT, "ML0302"))
    }
    screening = {
        where: screening_create(
            point=Site.objects.get(code=poe[where]),
            screened_at=when,
            temperature=36.8,
            symptoms=[],
            sex="female",
            age=27,
        ).pk
        for where in (IN, OUT)
    }
    epi = {}
    for where in (IN, OUT):
        area = AdminArea.objects.get(pcode=REGION[where])
        for day, value in ((dt.date(2020, 4, 19), 3), (dt.date(2020, 4, 20), 5)):
            EpiValue.objects.create(
                area=area, day=day, metric="confirmed", value=value, source="ministry"
            )
        epi[where] = area.pk
    submission = {
        where: _flow_submission(poe[where], f"uuid:matrix-{where}", officer) for where in (IN, OUT)
    }
    world = World(
        users=users,
        site={IN: "OFF-KAYES", OUT: "BCP-ZEGOUA"},
        poe=poe,
        submission=submission,
        signal=signal,
        feedback=feedback,
        screening=screening,
        epi=epi,
        job={},
        import_file={},
        focal_point={where: reporter[where].pk for where in (IN, OUT)},
    )
    site_registry_import(
        rows=[
            (
                n,
                {
                    "code": f"LAB-MX-{where.upper()}",
                    "name_fr": f"Labo {where}",
                    "name_en": f"Lab {where}",
                    "kinds": "lab",
                    "pcode": pcode,
                },
            )
            for n, (where, pcode) in enumerate(((IN, "ML0103"), (OUT, "ML0302")), start=1)
        ]
    )
    for where in (IN, OUT):
        lab = Site.objects.get(code=f"LAB-MX-{where.upper()}")
        world.laboratory[where] = laboratory_save(
            site=lab,
            kind="mobile",
            point=Site.objects.get(code=poe[where]),
            status="operational",
            by=None,
        ).pk
        world.sample[where] = sample_take(
            sample_id=f"SMP-{where.upper()}",
            point=Site.objects.get(code=poe[where]),
            taken_at=when,
            lab=lab,
            by=None,
        ).pk
    catalogue_load()
    sources = {IN: "OFF-KAYES", OUT: "BCP-SONA"}  # Kayes, Sikasso
    for where in (IN, OUT):
        world.transfer[where] = Transfer.objects.create(
            item=Item.objects.get(code="PPE-GOWN"),
            source=holder_for_site(Site.objects.get(code=sources[where])),
            destination=holder_for_site(Site.objects.get(code=poe[where])),
            quantity=5,
            dispatched_on=dt.date(2020, 4, 1),
            dispatched_by=officer,
        ).pk
    for where in (IN, OUT):
        report = PublishedReport.objects.create(
            as_of=dt.date(2020, 4, 20),
            area=AdminArea.objects.get(pcode=REGION[where]),
            languages=["en"],
            published_by=officer,
            published_by_name=officer.username,
            status=PublishedReport.Status.DONE,
        )
        report.pdf_en.save("published.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
        world.published[where] = report.pk
    for role, pair in users.items():
        world.jobs_by_role[role] = {}
        world.imports_by_role[role] = {}
        for where in (IN, OUT):
            job = Job.objects.create(
                kind="sitrep_pdf",
                task_path="hbmm.reports.tasks.sitrep_pdf",
                label="report",
                requested_by=pair[where],
                status=Job.Status.SUCCEEDED,
                outcome={"filename": "report.pdf"},
            )
            job.result_file.save("report.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
            world.jobs_by_role[role][where] = job.pk
            record = import_file_store(
                kind="flow_count",
                source=io.BytesIO(b"observation_date,site\n"),
                original_name="flows.csv",
                uploaded_by=pair[where],
            )
            ImportFile.objects.filter(pk=record.pk).update(status=ImportFile.Status.DONE)
            world.imports_by_role[role][where] = record.pk
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        built = build_world(media)
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def matrix_settings(settings):
    settings.HBMM_OPENROSA_ALLOW_HTTP = False


# --- the expected status ---------------------------------------------------------------------


def expected(entry: Entry, user, role: str, method: str, where: str, world) -> int:
    if role == ANONYMOUS:
        if entry.anonymous is not None:
            return entry.anonymous
        return {"session": 302, "basic": 401, "public": entry.ok[method]}[entry.auth]
    needed = entry.needs(method, world)
    held = any if entry.any_perm and needed else all
    if not held(user.has_perm(p) for p in needed):
        return entry.denied
    lifted = bool(entry.unscoped_with) and user.has_perm(entry.unscoped_with)
    if where == OUT and entry.scoped and not lifted:
        return 404
    late = entry.late_perms.get(method, entry.late_perms.get("*", ()))
    if not all(user.has_perm(p) for p in late):
        return 403
    return entry.ok[method]


def request(client: Client, method: str, url: str, entry: Entry, query: dict, user):
    extra = {}
    if entry.auth == "basic":
        extra["secure"] = True
        if user is not None:
            token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
            extra["HTTP_AUTHORIZATION"] = f"Basic {token}"
    if method == "GET":
        return client.get(url, query, **extra)
    return client.post(url + ("?" + _qs(query) if query else ""), entry.data, **extra)


def _qs(query: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in query.items())


def all_entries() -> dict[str, Entry]:
    return {**ENTRIES, **drilldown_entries(), **api_entries()}


def _reverse(key: str, kwargs: dict) -> str:
    if key.startswith("reports:drilldown["):
        return reverse("reports:drilldown", kwargs={"key": key[len("reports:drilldown[") : -1]})
    return reverse(key, kwargs=kwargs or None)


# --- the tests ------------------------------------------------------------------------------


def patterns_without_entry() -> list[str]:
    declared = set(ENTRIES) | set(api_entries()) | {"reports:drilldown"}
    return [
        f"{key} ({route})"
        for key, route, _pattern in url_patterns()
        if not is_admin(key, route) and key not in declared
    ]


def test_every_url_pattern_has_an_entry():
    """A URL pattern with no entry (and outside the admin site's rule) fails, by name."""
    missing = patterns_without_entry()
    assert not missing, "URL patterns with no access-matrix entry: " + ", ".join(missing)
    declared = set(ENTRIES) | set(api_entries()) | {"reports:drilldown"}
    stale = declared - {key for key, _route, _p in url_patterns()}
    assert not stale, f"entries for URLs that no longer exist: {sorted(stale)}"
    assert _TABLES, "no registered table to drill down into"


def test_a_new_view_without_an_entry_is_named():
    """The check itself: a view added to the URL map (in a nested include) is reported."""
    with override_settings(ROOT_URLCONF="tests.accounts.matrix_extra_urls"):
        missing = patterns_without_entry()
    assert missing == ["extra:unchecked (extra/<int:pk>/secret/)"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(all_entries()))
def test_matrix(key, role, world, matrix_settings):
    entry = all_entries()[key]
    world = world.for_role(role)
    user = None if role == ANONYMOUS else world.users[role][IN]
    client = Client()
    if user is not None and entry.auth in ("session", "public"):
        client.force_login(user)
    wheres = (IN, OUT) if entry.scoped else (IN,)
    failures = []
    for where in wheres:
        kwargs = entry.kwargs(world, where) if entry.kwargs else {}
        query = entry.query(world, where) if entry.query else {}
        url = _reverse(key, kwargs)
        for method in entry.methods:
            want = expected(entry, user, role, method, where, world)
            with transaction.atomic():
                response = request(client, method, url, entry, query, user)
                transaction.set_rollback(True)
            COUNTS["requests"] += 1
            COUNTS[f"{where}-scope"] += 1
            if response.status_code != want:
                failures.append(
                    f"{method} {url} {query or ''} as {role} ({where} scope): "
                    f"{response.status_code}, expected {want}"
                )
                continue
            if want == 302 and role == ANONYMOUS and entry.auth == "session":
                assert response["Location"].startswith(LOGIN), response["Location"]
            if entry.check is not None:
                entry.check(response, world, where)
    assert not failures, "\n".join(failures)


def admin_patterns() -> list[tuple[str, str, URLPattern]]:
    return [(k, r, p) for k, r, p in url_patterns() if is_admin(k, r)]


def _admin_url(route: str) -> str:
    """A concrete URL for an admin route: object id 1, the first registered app."""
    url = "/" + route
    url = url.replace("<path:content_type_id>", "1").replace("<path:object_id>", "1")
    url = url.replace("<id>", "1")
    if "(?P<app_label>" in url:
        url = "/admin/" + next(iter(admin_site._registry))._meta.app_label + "/"
    if "(?P<url>" in url:
        url = "/admin/no-such-page/"
    return url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_staff_only(role, world, matrix_settings):
    """Every pattern of the admin site, as every role (none is staff) and anonymous: the
    admin's login page, never a page of the admin."""
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role][IN])
    failures = []
    for key, route, _pattern in admin_patterns():
        url = _admin_url(route)
        response = client.get(url)
        COUNTS["requests"] += 1
        COUNTS["admin"] += 1
        want = ADMIN_PUBLIC.get(key, 302)
        if response.status_code != want:
            failures.append(f"GET {url} ({key}) as {role}: {response.status_code}, want {want}")
        elif want == 302 and not response["Location"].startswith(
            ADMIN_REDIRECTS.get(key, ADMIN_LOGIN)
        ):
            failures.append(f"GET {url} ({key}) as {role}: sent to {response['Location']}")
    assert not failures, "\n".join(failures)


# The site registry's admin is not scoped: places cannot read the accounts' scope (the layer
# contract keeps them independent), and sites are reference data, not records of the field.
ADMIN_UNSCOPED = {Site}


def scoped_admin_models() -> list:
    return [
        model
        for model in admin_site._registry
        if (getattr(model, "scope_site_lookup", None) or getattr(model, "scope_area_lookup", None))
        and model not in ADMIN_UNSCOPED
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != ANONYMOUS])
def test_admin_site_shows_a_regional_staff_member_their_scope_only(role, world, matrix_settings):
    """The same Kayes user, made staff: every admin page of scoped records lists the records
    of their scope only, and the page of a record outside it is not shown (the admin sends
    them back to its index); the import files are those the pages show them."""
    User.objects.filter(pk=world.users[role][IN].pk).update(is_staff=True)
    user = User.objects.get(pk=world.users[role][IN].pk)
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    failures = []
    for model in [*scoped_admin_models(), ImportFile]:
        model_admin = admin_site._registry[model]
        shown = set(model_admin.get_queryset(request).values_list("pk", flat=True))
        if model is ImportFile:
            allowed = set(import_file_list(user=user).values_list("pk", flat=True))
        else:
            allowed = set(restrict_to_scope(model.objects.all(), user).values_list("pk", flat=True))
        if shown - allowed:
            failures.append(f"{model.__name__}: the admin lists {sorted(shown - allowed)}")
        info = (model._meta.app_label, model._meta.model_name)
        for pk in model.objects.exclude(pk__in=allowed).values_list("pk", flat=True)[:2]:
            response = client.get(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            COUNTS["requests"] += 1
            COUNTS["admin-staff"] += 1
            if response.status_code == 200:
                failures.append(f"{model.__name__} #{pk} (out of scope): shown to a {role}")
    assert not failures, "\n".join(failures)


def test_zz_matrix_size(capsys):
    """The number of combinations asked (printed; -s shows it)."""
    total = COUNTS["requests"]
    with capsys.disabled():
        print(
            f"\naccess matrix: {total} requests "
            f"({COUNTS['in-scope']} in scope, {COUNTS['out-scope']} out of scope, "
            f"{COUNTS['admin']} on the admin site, {COUNTS['admin-staff']} as regional staff), "
            f"{len(all_entries())} URL entries, "
            f"{len(admin_patterns())} admin patterns, {len(ROLES)} roles"
        )
    if total:  # run with the rest of the module
        assert COUNTS["out-scope"] > 0
