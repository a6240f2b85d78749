"""Web forms of the response app: a 4W row, a contribution. They parse; services validate."""

import datetime as dt
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.response.models import (
    Channel,
    Contribution,
    Indicator,
    Organisation,
    ParticipantRole,
    Pillar,
    Status,
)


class MonthField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=7, widget=forms.TextInput(attrs={"type": "month"}), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            year, month = str(value).split("-")
            return dt.date(int(year), int(month), 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Use YYYY-MM.")) from exc


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class IndicatorField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.activity.pillar.name} — {obj.name}"


class ActivityReportForm(forms.Form):
    month = MonthField(label=_("Month"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    implementing_partner = forms.ModelChoiceField(
        label=_("Implementing partner"), queryset=Organisation.objects.none(), required=False
    )
    indicator = IndicatorField(label=_("Indicator"), queryset=Indicator.objects.none())
    area = forms.CharField(label=_("Area (P-code)"), max_length=20)
    site = forms.CharField(label=_("Site (code)"), max_length=40, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.COMPLETED)
    value = forms.DecimalField(label=_("Value"), min_value=0, max_digits=14, decimal_places=2)
    women = forms.IntegerField(label=_("Women"), min_value=0, required=False)
    men = forms.IntegerField(label=_("Men"), min_value=0, required=False)
    girls = forms.IntegerField(label=_("Girls"), min_value=0, required=False)
    boys = forms.IntegerField(label=_("Boys"), min_value=0, required=False)
    training_topic = forms.CharField(label=_("Training topic"), max_length=200, required=False)
    participant_role = forms.ChoiceField(
        label=_("Participants' role"),
        choices=[("", "—"), *ParticipantRole.choices],
        required=False,
    )
    pre_test_score = forms.DecimalField(
        label=_("Pre-test score (%)"), min_value=0, max_value=100, required=False
    )
    post_test_score = forms.DecimalField(
        label=_("Post-test score (%)"), min_value=0, max_value=100, required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, plan, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        indicator = cast(forms.ModelChoiceField, self.fields["indicator"])
        indicator.queryset = (
            Indicator.objects.filter(plan=plan, source=Indicator.Source.REPORTED)
            .select_related("activity__pillar")
            .order_by("activity__pillar__number", "code")
        )
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        partner = cast(forms.ModelChoiceField, self.fields["implementing_partner"])
        partner.queryset = Organisation.objects.exclude(kind=Organisation.Kind.DONOR)


class ContributionForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Organisation.objects.all())
    pillar = forms.ModelChoiceField(
        label=_("Earmarked pillar"), queryset=Pillar.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Contribution.Status.choices, initial="committed"
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    rate = forms.DecimalField(
        label=_("Exchange rate (one unit in the plan's currency)"),
        required=False,
        max_digits=18,
        decimal_places=8,
    )
    rate_date = forms.DateField(label=_("Rate date"), required=False, widget=DateInput())
    signed_on = forms.DateField(label=_("Date signed"), widget=DateInput())
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        pillar = cast(forms.ModelChoiceField, self.fields["pillar"])
        pillar.queryset = Pillar.objects.filter(plan=plan).order_by("number")


class TargetForm(forms.Form):
    value = forms.DecimalField(label=_("New target"), min_value=0, max_digits=14, decimal_places=2)
    area = forms.CharField(
        label=_("Area (P-code, empty for the national target)"), max_length=20, required=False
    )
    note = forms.CharField(label=_("Why it changes"), max_length=300, required=False)


class ActivityForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    text_fr = forms.CharField(
        label=_("Activity (French)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    text_en = forms.CharField(
        label=_("Activity (English)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # an activity's code names it in files and exports: it stays
            del self.fields["code"]
