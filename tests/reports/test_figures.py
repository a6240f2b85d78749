from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import override

from hbmm.presentation.figures import (
    Drilldown,
    Figure,
    format_date,
    format_month,
    format_number,
    format_percent,
    percent,
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "239,484"), ("fr", "239\xa0484")],
)
def test_numbers_use_the_locale_grouping(lang, expected):
    with override(lang):
        assert format_number(239484) == expected


def test_decimals_use_the_locale_separator():
    with override("en"):
        assert format_number(Decimal("346.8"), decimals=1) == "346.8"
        assert format_number(1234.5, decimals=2) == "1,234.50"
    with override("fr"):
        assert format_number(Decimal("346.8"), decimals=1) == "346,8"


def test_integers_round_half_up():
    with override("en"):
        assert format_number(Decimal("346.5")) == "347"
        assert format_number(Decimal("346.49")) == "346"
        assert format_number(2.5) == "3"


def test_percent_is_exact_and_none_without_denominator():
    assert percent(14, 35) == Decimal(40)
    assert percent(1, 3) == Decimal(1) * 100 / Decimal(3)
    assert percent(3, 0) is None


def test_percent_formatting_per_language():
    with override("en"):
        assert format_percent(Decimal("51.43")) == "51%"
        assert format_percent(Decimal("52.5")) == "53%"
        assert format_percent(Decimal("-6.6")) == "-7%"
        assert format_percent(None) == "n/a"
    with override("fr"):
        assert format_percent(Decimal("51.43")) == "51\u202f%"
        assert format_percent(Decimal("12.25"), decimals=1) == "12,3\u202f%"


def test_share_reads_n_of_total_with_percent():
    figure = Figure(key="k", label="No isolation space", value=18, denominator=35, unit="points")
    with override("en"):
        assert figure.display == "18 of 35 points (51%)"
    assert figure.share == Decimal(18) * 100 / Decimal(35)
    bare = Figure(key="k", label="x", value=14, denominator=35)
    with override("en"):
        assert bare.display == "14 of 35 (40%)"


def test_share_in_french_is_translated():
    figure = Figure(key="k", label="x", value=2, denominator=3, unit="points")
    with override("fr"):
        assert figure.display == "2 sur 3 points (67\u202f%)"


def test_no_data_is_never_zero():
    empty = Figure(key="k", label="IDPs", value=None)
    with override("en"):
        assert empty.display == "no data"
        assert not empty.has_data
    zero = Figure(key="k", label="IDPs", value=0)
    with override("en"):
        assert zero.display == "0"
        assert zero.has_data
    with override("fr"):
        assert empty.display == "pas de données"


def test_share_with_nothing_assessed():
    figure = Figure(key="k", label="x", value=0, denominator=0)
    with override("en"):
        assert figure.display == "none assessed"
        assert figure.share is None


def test_value_with_unit_and_grouping():
    figure = Figure(key="k", label="IDPs", value=239484, unit="individuals")
    with override("en"):
        assert figure.display == "239,484 individuals"


def test_dates_in_words():
    with override("en"):
        assert format_date(date(2020, 5, 15)) == "15 May 2020"
        assert format_month(date(2020, 4, 1)) == "April 2020"
    with override("fr"):
        assert format_date(date(2020, 5, 15)) == "15 mai 2020"
        assert format_month(date(2020, 4, 1)) == "avril 2020"
        assert format_date(date(2020, 4, 1)) == "1er avril 2020"


def test_drilldown_url_carries_the_filters_and_the_area():
    drill = Drilldown("places.sites", {"as_of": "2020-05-15", "kind": "bcp"})
    url = drill.url(area="ML01")
    assert url == "/reports/drilldown/places.sites/?area=ML01&as_of=2020-05-15&kind=bcp"
    assert Drilldown("places.sites").url() == "/reports/drilldown/places.sites/"
    # A table with a page of its own is reached there.
    flows = Drilldown("mobility.flows", {"start": "2020-04-01", "end": "2020-04-30"})
    assert flows.url() == "/mobility/flows/?end=2020-04-30&start=2020-04-01"
