from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.places.models import AdminArea
from hbmm.web.forms import TabularFileField

# A site registry is a few hundred rows; anything much larger is the wrong file.
MAX_REGISTRY_BYTES = 5 * 1024 * 1024


class SiteRegistryUploadForm(forms.Form):
    file = TabularFileField(
        max_bytes=MAX_REGISTRY_BYTES,
        label=_("Site registry file (CSV or XLSX)"),
        help_text=_(
            "Columns: code, name_fr, name_en, kinds (codes separated by ';'), pcode, latitude, "
            "longitude, neighbour_country (ISO3), active_from, active_to."
        ),
    )


class SiteFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, regions, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions"))] + [
            (a.pcode, f"{a.name} ({a.pcode})") for a in regions
        ]
        kinds = sorted(((k.code, k.name) for k in kinds), key=lambda choice: choice[1])
        self.fields["kind"].choices = [("", _("All kinds")), *kinds]


class AreaFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + [
            (c.pcode, c.name) for c in countries
        ]
        self.fields["level"].choices = [("", _("All levels")), *AdminArea.Level.choices]
