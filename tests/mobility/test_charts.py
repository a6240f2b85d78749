"""The daily flow chart: a week or a month is a bar per day labelled in the page's language
(it was a line with hourly ticks in English); a longer period stays a line. One specification
for the page and the report (rendered here as the report renders it)."""

import datetime as dt
import re

from django.utils.translation import override

from hbmm.mobility.charts import flow_daily_chart
from hbmm.presentation.charts import to_svg


def _series(start: dt.date, days: int) -> list[dict]:
    return [
        {"date": start + dt.timedelta(days=n), "direction": direction, "total": 10 + n}
        for n in range(days)
        for direction in ("incoming", "outgoing")
    ]


def test_a_week_is_a_bar_per_day_with_day_labels_in_the_pages_language():
    start = dt.date(2020, 4, 13)  # a Monday
    with override("fr"):
        chart = flow_daily_chart(_series(start, 7), start=start, end=start + dt.timedelta(days=6))
        svg = to_svg(chart.spec, width=520, height=200)
    assert chart.spec["mark"]["type"] == "bar"
    labels = re.findall(r"role-axis-label.*?</g></g>", svg, re.S)[0]
    days = re.findall(r">([^<>]+)</text>", labels)
    assert days == ["lun. 13", "mar. 14", "mer. 15", "jeu. 16", "ven. 17", "sam. 18", "dim. 19"]
    with override("en"):
        svg = to_svg(flow_daily_chart(_series(start, 7), start=start, end=start).spec)
    assert "Mon 13" in svg and "PM" not in svg and "AM" not in svg


def test_a_long_period_stays_a_line():
    start = dt.date(2020, 2, 1)
    chart = flow_daily_chart(_series(start, 90), start=start, end=start + dt.timedelta(days=89))
    assert chart.spec["mark"]["type"] == "line"
