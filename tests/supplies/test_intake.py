"""The supplies XLSForms (French and English) and their mappers: the forms convert and name
only the mappers' fields; a receipt confirmation and a distribution sent from ODK Collect reach
the ledger; bad ones are quarantined with the field and the reason, nothing written."""

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from hbmm.intake.models import Submission
from hbmm.intake.parsing import parse_xml
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from hbmm.supplies import services, xlsforms
from hbmm.supplies.intake_mappers import DistributionMapper, ReceiptMapper
from hbmm.supplies.models import Movement, Transfer
from tests.supplies.conftest import DAY


def _rows(path, sheet):
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [
        {k: v for k, v in zip(header, row, strict=True) if v not in (None, "")} for row in rows[1:]
    ]


@pytest.mark.parametrize(
    ("form_id", "mapper", "build"),
    [
        ("supplies_receipt", ReceiptMapper, xlsforms.receipt_form),
        ("supplies_distribution", DistributionMapper, xlsforms.distribution_form),
    ],
)
def test_form_converts_and_matches_its_mapper(form_id, mapper, build):
    path = xlsforms.FORMS_DIR / f"{form_id}.xlsx"
    assert convert(xlsform=str(path)).warnings == []
    assert _rows(path, "settings")[0]["form_id"] == mapper.form_id == form_id
    survey = _rows(path, "survey")
    # Messages are written translated (ServerSays): compare their text.
    assert survey == [{k: str(v) for k, v in r.items() if v != ""} for r in build()["survey"]]
    fields = {r["name"] for r in survey if not r["type"].startswith(("begin", "end", "start"))}
    assert fields <= set(mapper.aliases) | {"note"}, fields - set(mapper.aliases)
    labelled = [r for r in survey if r["type"] not in ("start", "end", "end_group")]
    assert all("label::French (fr)" in r and "label::English (en)" in r for r in labelled)


def _send(form_id, fields: dict, *, user, n=1, edits=None):
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    deprecated = f"<deprecatedID>uuid:{form_id}-{edits}</deprecatedID>" if edits else ""
    xml = (
        f'<data id="{form_id}" version="{xlsforms.VERSION}">{body}'
        f"<meta><instanceID>uuid:{form_id}-{n}</instanceID>{deprecated}</meta></data>"
    )
    parsed = parse_xml(xml)
    received = submission_receive(
        channel="openrosa",
        form_id=parsed.form_id,
        instance_id=parsed.instance_id,
        deprecated_id=parsed.deprecated_id,
        payload=xml,
        payload_format="xml",
        data=parsed.data,
        submitter=user,
    )
    submissions_process([received.submission])
    received.submission.refresh_from_db()
    return received.submission


@pytest.fixture
def sent(logistician, holder, item, stock):
    stock("WH-BAMAKO", "PPE-GOWN", 100)
    return services.transfer_dispatch(
        actor=logistician,
        source=holder("WH-BAMAKO"),
        destination=holder("BCP-GOGUI"),
        item=item("PPE-GOWN"),
        quantity=60,
        dispatched_on=DAY,
    )


@pytest.mark.django_db
def test_an_agent_confirms_a_receipt_from_odk(sent, make_user, holder, item):
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    fields = {
        "site": "BCP-GOGUI",
        "transfer": f"T{sent.pk}",
        "received_on": "2020-04-08",
        "quantity_received": "58",
    }
    # 2 did not arrive and the agent says not why: quarantined, naming the field; nothing written.
    no_reason = _send("supplies_receipt", fields, user=agent, n=3)
    assert no_reason.status == "quarantined"
    assert [e["field"] for e in no_reason.errors] == ["shortfall_reason"]
    assert "2 of the 60 dispatched did not arrive" in no_reason.errors[0]["message"]
    assert not Movement.objects.filter(holder=holder("BCP-GOGUI")).exists()
    fields["shortfall_reason"] = "2 blouses déchirées"
    submission = _send("supplies_receipt", fields, user=agent)
    assert submission.status == "accepted", submission.errors
    sent.refresh_from_db()
    assert (sent.status, sent.quantity_received, sent.shortfall) == ("received", 58, 2)
    # What was dispatched enters the point's ledger, the shortfall leaves it as a loss with the
    # agent's reason: the point holds 58, the ledger's sum.
    lines = Movement.objects.filter(holder=holder("BCP-GOGUI")).order_by("pk")
    assert [(m.kind, m.quantity, m.submission_id, m.recorded_by) for m in lines] == [
        ("transfer_in", 60, submission.pk, agent),
        ("loss", -2, submission.pk, agent),
    ]
    assert lines[1].reason == f"Shortfall of transfer T{sent.pk}: 2 blouses déchirées"
    # The same receipt sent again (another instance) is quarantined, nothing written twice.
    again = _send("supplies_receipt", fields, user=agent, n=2)
    assert again.status == "quarantined"
    assert again.errors[0]["field"] == "transfer"
    assert Movement.objects.filter(kind="transfer_in").count() == 1


@pytest.mark.django_db
def test_a_receipt_for_another_site_or_too_many_is_quarantined(sent, make_user):
    agent = make_user("poe_agent", sites=["BCP-KOUREMALE", "BCP-GOGUI"])
    wrong_site = _send(
        "supplies_receipt",
        {
            "site": "BCP-KOUREMALE",
            "transfer": str(sent.pk),
            "received_on": "2020-04-08",
            "quantity_received": "5",
        },
        user=agent,
    )
    assert wrong_site.status == "quarantined"
    assert [e["field"] for e in wrong_site.errors] == ["transfer"]
    too_many = _send(
        "supplies_receipt",
        {
            "site": "BCP-GOGUI",
            "transfer": str(sent.pk),
            "received_on": "2020-04-08",
            "quantity_received": "61",
        },
        user=agent,
        n=2,
    )
    assert too_many.status == "quarantined"
    assert [e["field"] for e in too_many.errors] == ["quantity_received"]
    assert Transfer.objects.get().status == "in_transit"
    assert not Movement.objects.filter(kind="transfer_in").exists()


@pytest.mark.django_db
def test_a_distribution_from_odk_and_one_beyond_stock(sent, make_user, logistician):
    services.transfer_receive(
        actor=logistician, transfer=sent, received_on=DAY, quantity_received=60
    )
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    fields = {
        "site": "BCP-GOGUI",
        "distributed_on": "2020-04-09",
        "item": "PPE-GOWN",
        "quantity": "20",
        "men": "8",
        "women": "9",
        "boys": "2",
        "girls": "1",
    }
    ok = _send("supplies_distribution", fields, user=agent)
    assert ok.status == "accepted", ok.errors
    m = Movement.objects.get(kind="distribution")
    assert (m.quantity, m.people, m.holder.code) == (-20, 20, "BCP-GOGUI")
    beyond = _send("supplies_distribution", {**fields, "quantity": "41"}, user=agent, n=2)
    assert beyond.status == "quarantined"
    assert beyond.errors[0]["field"] == "quantity"
    assert "Only 40 PPE-GOWN in stock at BCP-GOGUI" in beyond.errors[0]["message"]
    unknown = _send("supplies_distribution", {**fields, "item": "NOPE"}, user=agent, n=3)
    assert [e["field"] for e in unknown.errors] == ["item"]
    assert Movement.objects.filter(kind="distribution").count() == 1
    assert Submission.objects.filter(status="quarantined").count() == 2


@pytest.mark.django_db
def test_an_edited_distribution_does_not_change_the_ledger(sent, make_user, logistician):
    """The ledger is append-only: a distribution form edited and sent again is not applied
    (`distributions_save_batch` refuses it, saying to record an adjustment); the movement the
    first version made stays as it was."""
    services.transfer_receive(
        actor=logistician, transfer=sent, received_on=DAY, quantity_received=60
    )
    agent = make_user("poe_agent", sites=["BCP-GOGUI"])
    fields = {"site": "BCP-GOGUI", "distributed_on": "2020-04-09", "item": "PPE-GOWN"}
    first = _send("supplies_distribution", {**fields, "quantity": "20"}, user=agent)
    assert first.status == "accepted", first.errors
    edit = _send("supplies_distribution", {**fields, "quantity": "5"}, user=agent, n=2, edits=1)
    assert edit.status == "quarantined"
    assert "not changed by editing a form" in " ".join(e["message"] for e in edit.errors)
    (m,) = Movement.objects.filter(kind="distribution")
    assert (m.quantity, m.submission_id) == (-20, first.pk)
