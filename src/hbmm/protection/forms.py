"""Web forms of protection (parse input; the services validate and write)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import sites_in_scope
from hbmm.places.pickers import CountryField
from hbmm.protection.models import (
    AgeGroup,
    Assistance,
    Case,
    Need,
    ProtectionTeam,
    Referral,
    ServiceProvider,
    ServiceType,
    Sex,
    VoluntaryReturn,
    Vulnerability,
)


class DateInput(forms.DateInput):
    """A browser date picker: its value is always an ISO date, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002  (Django's own name)
        super().__init__(attrs, format=format)


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class CaseForm(forms.Form):
    site: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Identified at (site)"), queryset=None
    )
    identified_on = forms.DateField(label=_("Identified on"), widget=DateInput)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN
    )
    nationality = CountryField(label=_("Nationality"), required=False)
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent_services = forms.BooleanField(label=_("Consents to services"), required=False)
    consent_disclosure = forms.BooleanField(
        label=_("Consents to disclosure to other organisations"), required=False
    )
    consent_statistics = forms.BooleanField(
        label=_("Consents to use in statistics"), required=False
    )
    team: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_in_scope(user).order_by("code")  # type: ignore[attr-defined]
        self.fields["team"].queryset = ProtectionTeam.objects.filter(members=user)  # type: ignore[attr-defined]


class CaseEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    age_group = forms.ChoiceField(label=_("Age group"), choices=AgeGroup.choices)
    nationality = CountryField(label=_("Nationality"), required=False)
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_gbv = forms.BooleanField(label=_("GBV case (restricted)"), required=False)

    IDENTIFIERS = ("name", "phone", "document_number")

    def __init__(self, *args, with_identifiers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_identifiers:
            for field in self.IDENTIFIERS:
                del self.fields[field]


class ConsentForm(forms.Form):
    services = forms.BooleanField(label=_("Consents to services"), required=False)
    disclosure = forms.BooleanField(
        label=_("Consents to disclosure to other organisations"), required=False
    )
    statistics = forms.BooleanField(label=_("Consents to use in statistics"), required=False)
    on = forms.DateField(label=_("Date"), widget=DateInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    closure_reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", "—"), *Case.ClosureReason.choices],
        required=False,
    )


class ReferralForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Service provider"), queryset=ServiceProvider.objects.filter(is_active=True)
    )
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    shared = forms.MultipleChoiceField(
        label=_("Shared with the provider"),
        choices=Referral.Shared.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note to the provider"), required=False, widget=forms.Textarea)
    due_on = forms.DateField(label=_("Follow up by"), required=False, widget=DateInput)
    override_reason = forms.CharField(
        label=_("Reason to refer without consent (override)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RespondForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Referral.Status.ACCEPTED, _("accept")),
            (Referral.Status.REJECTED, _("reject")),
            (Referral.Status.DONE, _("service delivered")),
        ],
    )
    reason = forms.CharField(label=_("Reason or comment"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    to = forms.CharField(label=_("New owner (username)"), max_length=150)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssistanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Assistance"), choices=Assistance.Kind.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput)
    value = forms.DecimalField(
        label=_("Value (XOF)"), required=False, min_value=0, decimal_places=0
    )
    note = forms.CharField(label=_("Note"), required=False)


class ReturnForm(forms.ModelForm):
    destination_country = CountryField(label=_("Country of return"))

    class Meta:
        model = VoluntaryReturn
        fields = [
            "kind",
            "destination_country",
            "travel_document",
            "consular_contact_on",
            "fit_to_travel_on",
            "departure_on",
            "route",
            "arrived_on",
            "reintegration_referral",
        ]
        widgets = {
            "consular_contact_on": DateInput,
            "fit_to_travel_on": DateInput,
            "departure_on": DateInput,
            "arrived_on": DateInput,
            "reintegration_referral": forms.Textarea(attrs={"rows": 2}),
        }


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Case.Status.choices], required=False
    )
    vulnerability = forms.ChoiceField(
        label=_("Vulnerability"), choices=[("", "—"), *Vulnerability.choices], required=False
    )
