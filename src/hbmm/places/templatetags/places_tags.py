"""`{{ code|country }}`: a country's name in the page's language, for an ISO3 code stored (a
nationality, a country of origin): a page shows "Guinée", never "GIN". A list of codes gives
the names joined by commas."""

from django import template

from hbmm.places.countries import country_name
from hbmm.places.pickers import french_page

register = template.Library()


@register.filter
def country(value) -> str:
    if not value:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(country_name(str(code), french=french_page()) for code in value)
    return country_name(str(value), french=french_page())
