"""The response pages by role: 403 outside the role, a partner's pages show only its rows,
the 4W matrix exports with HXL hashtags, a period is locked by POST, rows and contributions are
entered on the web."""

import csv
import io
from decimal import Decimal

import hxl
import pytest

from hbmm.response import services
from hbmm.response.models import ActivityReport, Contribution, ReportingPeriod

PAGES = [
    "/response/",
    "/response/plan/",
    "/response/reports/",
    "/response/reports/new/",
    "/response/periods/",
    "/response/funding/",
    "/response/contributions/",
    "/response/contributions/new/",
]

# role: expected status of each page of PAGES, in order
EXPECTED = {
    "admin": (200, 200, 200, 200, 200, 200, 200, 200),
    "programme_manager": (200, 200, 200, 200, 200, 200, 200, 200),
    "im_officer": (200, 200, 200, 200, 200, 200, 200, 403),
    "partner": (200, 200, 200, 200, 200, 403, 403, 403),
    "viewer": (200, 200, 403, 403, 403, 200, 200, 403),
    "poe_supervisor": (403, 403, 403, 403, 403, 403, 403, 403),
    "poe_agent": (403, 403, 403, 403, 403, 403, 403, 403),
    "enumerator": (403, 403, 403, 403, 403, 403, 403, 403),
    "surveillance_officer": (403, 403, 403, 403, 403, 403, 403, 403),
    "protection_officer": (403, 403, 403, 403, 403, 403, 403, 403),
    "logistics_officer": (403, 403, 403, 403, 403, 403, 403, 403),
    "protection_supervisor": (403, 403, 403, 403, 403, 403, 403, 403),
    "gbv_officer": (403, 403, 403, 403, 403, 403, 403, 403),
    "service_focal_point": (403, 403, 403, 403, 403, 403, 403, 403),
}


def test_every_role_is_covered():
    from hbmm.accounts.roles import role_definitions

    assert set(EXPECTED) == set(role_definitions())


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED))
def test_pages_by_role(client, make_user, plan, role):
    client.force_login(make_user(role, areas=["MLI"]))
    assert tuple(client.get(url).status_code for url in PAGES) == EXPECTED[role]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, plan):
    assert client.get("/response/").status_code == 302


@pytest.fixture
def rows(plan, orgs, make_user, report):
    crm = make_user("partner", areas=["ML01"])
    services.membership_set(user=crm, organisation=orgs["crm"])
    drs = make_user("partner", areas=["ML01"])
    services.membership_set(user=drs, organisation=orgs["drs"])
    report(crm, orgs["crm"], "radio-spots", "ML01", value=3, channel="radio")
    report(drs, orgs["drs"], "radio-spots", "ML01", value=5, channel="radio")
    report(drs, orgs["drs"], "hygiene-kits-distributed", "ML0101", value=50)
    return {"crm": crm, "drs": drs}


@pytest.mark.django_db
def test_a_partner_sees_only_its_own_rows_on_every_page(client, rows):
    client.force_login(rows["crm"])
    page = client.get("/response/reports/")
    assert page.context["page"].paginator.count == 1
    dashboard = client.get("/response/")
    radio = next(
        f
        for p in dashboard.context["pillars"]
        for f in p["figures"]
        if f.key == "response.indicator.radio-spots"
    )
    assert radio.value == 3
    client.force_login(rows["drs"])
    assert client.get("/response/reports/").context["page"].paginator.count == 2


@pytest.mark.django_db
def test_the_4w_matrix_exports_with_hxl(client, rows, make_user):
    client.force_login(make_user("admin", areas=["MLI"]))
    response = client.get("/response/reports/?format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    parsed = hxl.data(io.BytesIO(text.encode()), hxl.InputOptions())
    assert len(list(parsed)) == 3
    tags = set(parsed.display_tags)
    assert {"#org+code", "#sector+code", "#activity+code", "#adm1+code", "#reached"} <= tags
    records = list(csv.reader(io.StringIO(text)))
    header, hxl_row = records[0], records[1]
    region = records[2][hxl_row.index("#adm1+code")]
    assert region == "ML01"
    assert "Organisation" in header or "Organisation" in " ".join(header)


@pytest.mark.django_db
def test_a_period_is_locked_by_post_and_refuses_web_rows(client, rows, make_user, plan, orgs):
    manager = make_user("programme_manager", areas=["MLI"])
    client.force_login(rows["crm"])
    assert client.post("/response/periods/2020-05/lock/").status_code == 403
    client.force_login(manager)
    assert client.get("/response/periods/2020-05/lock/").status_code == 405
    assert client.post("/response/periods/2020-05/lock/").status_code == 302
    assert ReportingPeriod.objects.get(plan=plan, month="2020-05-01").is_locked
    client.force_login(rows["crm"])
    indicator = plan.indicators.get(code="radio-spots")
    form = {
        "month": "2020-05",
        "organisation": orgs["crm"].pk,
        "indicator": indicator.pk,
        "area": "ML01",
        "status": "completed",
        "value": "2",
        "channel": "radio",
    }
    response = client.post("/response/reports/new/", form)
    assert response.status_code == 200
    assert "2020-05 est verrouillée" in str(response.context["form"].errors["month"])  # French
    assert ActivityReport.objects.count() == 3
    form["month"] = "2020-06"
    assert client.post("/response/reports/new/", form).status_code == 302
    assert ActivityReport.objects.count() == 4
    form["organisation"] = orgs["drs"].pk  # not its own: not a choice
    response = client.post("/response/reports/new/", form)
    assert "organisation" in response.context["form"].errors


@pytest.mark.django_db
def test_a_contribution_entered_on_the_web(client, make_user, plan, orgs):
    client.force_login(make_user("programme_manager", areas=["MLI"]))
    form = {
        "donor": orgs["echo"].pk,
        "pillar": plan.pillars.get(code="ipc").pk,
        "status": "committed",
        "amount": "100000",
        "currency": "EUR",
        "signed_on": "2020-05-10",
    }
    response = client.post("/response/contributions/new/", form)
    assert "rate" in response.context["form"].errors
    form.update(rate="1.1", rate_date="2020-05-10")
    assert client.post("/response/contributions/new/", form).status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.amount_plan == 110000
    table = client.get("/response/funding/?as_of=2020-05-31")
    rows = {r[0][1]: r for r in table.context["page"].object_list}
    assert rows["ipc"][3][1] == 110000
    assert rows["total"][5][1] == Decimal("3.7")  # 110,000 of 3,000,000


@pytest.mark.django_db
def test_the_4w_template_is_read_back_by_the_import(
    client, plan, orgs, make_user, settings, tmp_path
):
    """The template's header is what the import reads: filled in, it imports."""
    from openpyxl import load_workbook

    from hbmm.intake.channels.files import file_import

    settings.MEDIA_ROOT = tmp_path
    partner = make_user("partner", areas=["ML01"])
    services.membership_set(user=partner, organisation=orgs["crm"])
    client.force_login(partner)
    response = client.get("/response/reports/template.xlsx?month=2020-05")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    codes = [row[0].value for row in book.worksheets[1].iter_rows(min_row=2)]
    assert "radio-spots" in codes and "points-assessed" not in codes  # computed: not reported
    sheet = book.worksheets[0]
    filled = io.StringIO()
    writer = csv.writer(filled)
    writer.writerow(header)
    values = dict(month="2020-05", organisation="crm", indicator="radio-spots", area="ML01")
    writer.writerow([{**values, "value": "4", "channel": "radio"}.get(h, "") for h in header])
    imported = file_import(
        kind="activity_report",
        source=io.BytesIO(filled.getvalue().encode()),
        original_name="4W.csv",
        uploaded_by=partner,
    )
    assert (imported.rows_accepted, imported.rows_quarantined) == (1, 0)
    assert client.get("/response/reports/template.xlsx?month=May").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/response/", "/response/reports/", "/response/periods/"])
def test_query_count_does_not_grow_with_rows(client, plan, orgs, make_user, report, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = make_user("programme_manager", areas=["MLI"])
    client.force_login(manager)
    report(manager, orgs["crm"], "radio-spots", "ML01", value=1, channel="radio")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for month in range(4, 13):
        for org, pcode in (("crm", "ML02"), ("iom", "ML03"), ("drs", "ML0101")):
            report(
                manager, orgs[org], "hygiene-kits-distributed", pcode, month=(2020, month), value=5
            )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)
