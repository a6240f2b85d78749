"""Country pickers for the web forms: a country is chosen by its name in the page's language
(the browser's list filters as one types "Guin"), never typed as an ISO3 code, and the value
stored stays the code. No script: a text input with a `<datalist>` of the countries, which
desktop and phone browsers filter by name and by code; a name typed without picking it is
read too (`country_code`: "Guinée", "Guinea" and "gin" are GIN). Several countries: a
multiple select of the names (the phone's own picker)."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hbmm.places.countries import countries, country_code, country_name


def french_page() -> bool:
    """Whether the active language is French (the country names' two languages)."""
    return (translation.get_language() or "fr").startswith("fr")


def country_options() -> list[tuple[str, str]]:
    """(ISO3, name) of every country, by name in the active language."""
    french = french_page()
    return sorted(
        ((code, names[0] if french else names[1]) for code, names in countries().items()),
        key=lambda option: option[1],
    )


class CountryInput(forms.TextInput):
    template_name = "places/widgets/country_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-countries"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["attrs"].setdefault("autocomplete", "off")
        context["widget"]["list_id"] = list_id
        context["widget"]["options"] = country_options()
        return context

    def format_value(self, value):
        # The code's name shows once the form is filled again ("Guinée", not "GIN").
        if value and str(value).upper() in countries():
            return country_name(str(value).upper(), french=french_page())
        return super().format_value(value)


class CountryField(forms.CharField):
    """One country, picked by name; cleans to its ISO3 code ("" when left empty)."""

    widget = CountryInput
    default_error_messages = {"unknown": _("Unknown country: choose one from the list.")}

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return ""
        code = country_code(text)
        if code is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return code


class CountriesField(forms.MultipleChoiceField):
    """Several countries, picked by name; cleans to a list of ISO3 codes."""

    widget = forms.SelectMultiple(
        attrs={"size": 6, "class": "countries", "data-filter": _("Type a country's name")}
    )

    def __init__(self, **kwargs):
        super().__init__(choices=country_options, **kwargs)


def site_select() -> forms.Select:
    """The widget of a point-of-entry (or any site) field: the select, and above it a search
    box that keeps the names and codes matching what is typed (web/static/hbmm/hbmm.js)."""
    return forms.Select(attrs={"data-filter": _("Type a point's name or code")})
