"""Fixtures of the supplies tests: the catalogue and warehouses loaded, holders, and a helper
that records stock."""

import datetime as dt

import pytest

from hbmm.supplies import services
from hbmm.supplies.models import Holder, Item

DAY = dt.date(2020, 4, 6)  # a Monday (ISO week 15 of 2020)


@pytest.fixture
def catalogue(reference):
    services.catalogue_load()


@pytest.fixture
def item(catalogue):
    return lambda code: Item.objects.get(code=code)


@pytest.fixture
def holder(catalogue, site):
    def get(code: str) -> Holder:
        found = Holder.objects.filter(code=code).first()
        return found or services.holder_for_site(site(code))

    return get


@pytest.fixture
def logistician(make_user, catalogue):
    return make_user("logistics_officer", areas=["MLI"])


@pytest.fixture
def stock(logistician, holder, item):
    """stock("WH-BAMAKO", "PPE-GOWN", 10) records a receipt from procurement."""

    def receive(holder_code, item_code, quantity, *, on=DAY, batch="", expires_on=None):
        the_item = item(item_code)
        if the_item.perishable and not batch:
            batch, expires_on = "B1", dt.date(2025, 1, 1)
        return services.receipt_record(
            actor=logistician,
            holder=holder(holder_code),
            item=the_item,
            quantity=quantity,
            occurred_on=on,
            supplier="UNICEF Supply Division",
            order_reference="PO-2020-001",
            unit_cost=None,
            batch=batch,
            expires_on=expires_on,
        )

    return receive
