from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def drilldown_url(context, figure, as_of=None, area=None):
    """The URL of the records behind `figure`, at the page's date and area; "" when the figure
    has none or the reader may not see those records."""
    from hbmm.reports.drilldowns import get_drilldown

    if figure.drilldown is None:
        return ""
    spec = get_drilldown(figure.drilldown.key)
    request = context.get("request")
    if spec is None or (
        spec.permission and request is not None and not request.user.has_perm(spec.permission)
    ):
        return ""
    return figure.drilldown.url(as_of=as_of, area=area)


@register.filter
def colon(label) -> str:
    """`label` followed by a colon, as the language writes it ("Label:" / "Label :")."""
    from django.utils.translation import gettext

    return gettext("%(label)s:") % {"label": label}


@register.filter
def longdate(day) -> str:
    """A date in words in the active language: 15 May 2020 / 15 mai 2020, 1er avril 2020."""
    from hbmm.reports.figures import format_date

    return format_date(day)
