from django import template
from django.utils.translation import gettext

from hbmm.presentation.as_of import stale_date
from hbmm.presentation.figures import format_date
from hbmm.presentation.tables import get_table

register = template.Library()


@register.simple_tag(takes_context=True)
def drilldown_url(context, figure, area=None):
    """The URL of the records behind `figure` (narrowed to the page's area); "" when the figure
    has none or the reader may not see those records."""
    if figure.drilldown is None:
        return ""
    table = get_table(figure.drilldown.key)
    request = context.get("request")
    if table is None or (request is not None and not request.user.has_perm(table.permission)):
        return ""
    return figure.drilldown.url(area=area)


@register.filter
def colon(label) -> str:
    """`label` followed by a colon, as the language writes it ("Label:" / "Label :")."""
    return gettext("%(label)s:") % {"label": label}


@register.filter
def longdate(day) -> str:
    """A date in words in the active language: 15 May 2020 / 15 mai 2020, 1er avril 2020."""
    return format_date(day)


@register.filter
def stale_as_of(figure, as_of) -> str:
    """The date of `figure`'s data in words when it is older than `as_of` (the report's date),
    else "": a figure whose data is older says its own date."""
    day = stale_date(getattr(figure, "as_of", None), as_of) if as_of else None
    return format_date(day) if day else ""
