from django import template

register = template.Library()


@register.simple_tag
def drilldown_url(figure, as_of=None, area=None):
    """The URL of the records behind `figure`, at the page's date and area ("" when none)."""
    if figure.drilldown is None:
        return ""
    return figure.drilldown.url(as_of=as_of, area=area)


@register.filter
def colon(label) -> str:
    """`label` followed by a colon, as the language writes it ("Label:" / "Label :")."""
    from django.utils.translation import gettext

    return gettext("%(label)s:") % {"label": label}
