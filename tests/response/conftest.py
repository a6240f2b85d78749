import datetime as dt
from decimal import Decimal

import pytest

from hbmm.response import services
from hbmm.response.intake_mappers import clear_caches
from hbmm.response.models import Indicator, Organisation


@pytest.fixture(autouse=True)
def _fresh_lookups():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def plan(reference):
    return services.shipped_plan_load()


@pytest.fixture
def orgs(reference):
    def make(code, kind=Organisation.Kind.NGO):
        return services.organisation_create(code=code, name=code.upper(), kind=kind)

    return {
        "iom": make("iom", Organisation.Kind.UN),
        "crm": make("crm"),
        "drs": make("drs-kayes", Organisation.Kind.GOVERNMENT),
        "echo": make("echo", Organisation.Kind.DONOR),
        "kfw": make("kfw", Organisation.Kind.DONOR),
    }


@pytest.fixture
def indicator(plan):
    return lambda code: Indicator.objects.get(plan=plan, code=code)


@pytest.fixture
def report(plan, area, indicator):
    """report(by, org, "people-reached", "ML01", month=(2020, 5), value=..., **fields)"""

    def make(by, org, code, pcode, *, month=(2020, 5), value, **fields):
        period = services.period_get_or_create(plan=plan, month=dt.date(*month, 1))
        return services.activity_report_create(
            by=by,
            period=period,
            organisation=org,
            indicator=indicator(code),
            area=area(pcode),
            value=Decimal(value),
            **fields,
        )

    return make
