"""Figures: one number with what it means, as of when, out of what, and which records it counts.

`Figure` is the one figure object of HBMM. Each domain has one module of named figures
(`hbmm.<domain>.figures`, e.g. `hbmm.mobility.figures.flow_daily_average(scope=, month=)`) that
builds Figures from its selectors; the app pages, the situation overview and report sections
(`hbmm.reports.sections`) and the API render those same objects. A figure never computes
anything when shown: it formats, in the active language, a value a selector returned, and keeps
the link to the records behind it (its drill-down: a table and the filters that select them).

    Figure(key="poe.no_isolation", label=_("No isolation space"), value=18, denominator=35,
           unit=ngettext_lazy("point", "points"), as_of=date(2020, 4, 1), definition=_("Points of entry ..."),
           drilldown=Drilldown("health.capacity", {"item": "isolation_space", ...}))
    figure.display  ->  "18 of 35 points (51%)"   (English)  /  "18 sur 35 points (51 %)" (French)
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext

from hbmm.presentation.tables import get_table
from hbmm.presentation.text import Text


def _is_french() -> bool:
    return (get_language() or "fr").startswith("fr")


def format_number(value: int | float | Decimal | None, *, decimals: int = 0) -> str:
    """`value` with the active locale's grouping and decimal separator: 239 484 / 239,484."""
    if value is None:
        return gettext("n/a")
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def plural_count(value: int | float | Decimal | None, *, decimals: int = 0) -> int:
    """The number `ngettext` picks a form by, for `value` shown with `decimals`. Whole numbers
    are themselves (sign aside: "-1 point"); a number shown with decimals takes, as CLDR says,
    the singular under 2 in French ("1,8 heure") and the plural in English ("1.8 hours")."""
    if value is None:
        return 0
    whole = int(abs(Decimal(str(value))))
    if decimals == 0:
        return int(abs(Decimal(str(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return whole if _is_french() else 2


def agreeing(word: Text, count: int) -> str:
    """`word` in the form that agrees with `count`: a unit declared with
    `ngettext_lazy("point", "points")` picks its form (its `%` takes the number); any other
    text is shown as it is."""
    try:
        return str(word % count)
    except TypeError:  # a plain text: "not all arguments converted"
        return str(word)


def percent(numerator: int | float | Decimal, denominator: int | float | Decimal) -> Decimal | None:
    """numerator / denominator in percent (exact Decimal), None when the denominator is 0."""
    if not denominator:
        return None
    return Decimal(numerator) * 100 / Decimal(denominator)


def format_percent(value: int | float | Decimal | None, *, decimals: int = 0) -> str:
    """A percentage rounded half up: "40%" in English, "40 %" (narrow no-break space) in French."""
    if value is None:
        return gettext("n/a")
    number = format_number(Decimal(value), decimals=decimals)
    return f"{number}\u202f%" if _is_french() else f"{number}%"


def format_date(day: date | None) -> str:
    """A date in words, as the plan writes it: 15 May 2020 / 15 mai 2020."""
    if day is None:
        return gettext("n/a")
    if day.day == 1 and _is_french():  # « 1er avril 2020 »
        return "1er " + formats.date_format(day, "F Y", use_l10n=True)
    return formats.date_format(day, "j F Y", use_l10n=True)


def format_month(day: date) -> str:
    """A month in words: April 2020 / avril 2020."""
    return formats.date_format(day, "F Y", use_l10n=True)


def scope_label(area) -> str:
    """What a page or report covers: the chosen area's name, else the country."""
    if area is not None:
        return area.name
    return gettext("Mali") if settings.HBMM_COUNTRY_ISO3 == "MLI" else settings.HBMM_COUNTRY_ISO3


@dataclass(frozen=True)
class Drilldown:
    """Which records a figure counts: a registered table (`hbmm.presentation.tables`) and the
    filters that select exactly those records."""

    key: str
    params: dict = field(default_factory=dict)

    def url(self, *, area: str | None = None) -> str:
        """The table's page with the filters, narrowed to `area` (the page's) unless the
        drill-down names its own (a region's row of a table by region)."""
        table = get_table(self.key)
        if table is not None and table.url_name:
            base = reverse(table.url_name)
        else:
            base = reverse("reports:drilldown", kwargs={"key": self.key})
        query = {**({"area": area} if area else {}), **self.params}
        return f"{base}?{urlencode(sorted(query.items()))}" if query else base


SUPPRESSED_MARK = "\u2020"  # the dagger the public report's footnote explains
COUNT = "count"  # a count of people: small values are suppressed in public outputs
FACT = "fact"  # about places, stocks, money or time: published as it is


@dataclass(frozen=True)
class Figure:
    """One number, on a page, in the report or in the API.

    `value` is None when there is no data (shown as "no data", never as 0). A share has a
    `denominator`: the figure then reads "n of N unit (p%)". `definition` says, in words a
    reader understands, what is counted and how; it is shown on hover/focus and in the report.
    `note` is a short comment shown under the value (a change on the month before); `parts`
    are the exact numbers the value is made of (a total and the days it is averaged over).

    Public outputs (`hbmm sitrep --public`, `hbmm.reports.public`) read `disclosure`: a COUNT
    of people from 1 to the threshold less one is suppressed, a FACT is published as it is;
    `within` names the figure whose records this one counts a part of (incoming travellers of
    all travellers), so that a difference cannot give a suppressed part back. A share's
    complement (denominator less value) is checked without it. `suppressed` marks a figure
    withheld by that rule: it then reads "suppressed".

    `against_target` says the denominator is a target, not a whole the value is part of: the
    value may pass it, so the figure reads "22 points, target 21 (105%)", never "22 of 21".
    """

    key: str
    label: Text
    value: int | float | Decimal | None
    as_of: date | None = None
    definition: Text = ""
    unit: Text = ""
    denominator: int | None = None
    decimals: int = 0
    percent_decimals: int = 0
    drilldown: Drilldown | None = None
    note: str = ""
    parts: dict = field(default_factory=dict, compare=False)  # what the value is made of
    disclosure: str = COUNT
    within: str = ""
    suppressed: bool = False
    against_target: bool = False

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def share(self) -> Decimal | None:
        """The value as a percentage of its denominator, or None."""
        if self.denominator is None or self.value is None:
            return None
        return percent(self.value, self.denominator)

    @property
    def formatted_value(self) -> str:
        if self.value is None:
            return gettext("no data")
        return format_number(self.value, decimals=self.decimals)

    @property
    def formatted_percent(self) -> str:
        return format_percent(self.share, decimals=self.percent_decimals)

    @property
    def display(self) -> str:
        """The figure as a reader sees it: "239,484", "18 of 35 points (51%)", "no data"."""
        if self.suppressed:
            return gettext("suppressed") + SUPPRESSED_MARK
        if self.value is None:
            return gettext("no data")
        if self.denominator is not None:
            if not self.denominator:
                return gettext("none assessed")
            values = {
                "n": self.formatted_value,
                "total": format_number(self.denominator),
                "unit": agreeing(self.unit, plural_count(self.denominator)),
                "percent": self.formatted_percent,
            }
            if self.against_target:
                values["unit"] = agreeing(self.unit, plural_count(self.value, decimals=self.decimals))
                if self.unit:
                    return gettext("%(n)s %(unit)s, target %(total)s (%(percent)s)") % values
                return gettext("%(n)s, target %(total)s (%(percent)s)") % values
            if self.unit:
                return gettext("%(n)s of %(total)s %(unit)s (%(percent)s)") % values
            return gettext("%(n)s of %(total)s (%(percent)s)") % values
        if self.unit:
            count = plural_count(self.value, decimals=self.decimals)
            return f"{self.formatted_value} {agreeing(self.unit, count)}"
        return self.formatted_value
