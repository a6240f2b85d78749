"""Web forms of the screening sub-module (parsing only; the checks are the mapper's)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import sites_in_scope
from hbmm.health.screening.models import (
    Conveyance,
    FollowUpOutcome,
    Screening,
    Sex,
    Symptom,
)
from hbmm.health.screening.services import POINT_KINDS
from hbmm.health.step_forms import StepForm
from hbmm.places.models import AdminArea, Site, SiteKind
from hbmm.places.pickers import CountriesField, CountryField, site_select

YES_NO_UNKNOWN = [("", _("not asked")), ("yes", _("yes")), ("no", _("no"))]
DECISIONS = [
    ("", _("follow the case definition")),
    ("suspect", _("suspect case: isolate and notify")),
    ("not_suspect", _("not a suspect case: may continue")),
]


def _local_now() -> str:
    return timezone.now().strftime("%Y-%m-%dT%H:%M")


class ScreeningForm(forms.Form):
    """The fast web form for posts with a laptop: same fields as the XLSForm."""

    point = forms.ChoiceField(label=_("Point of entry"), widget=site_select())
    screened_at = forms.CharField(
        label=_("Date and time (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    traveller_name = forms.CharField(label=_("Traveller's name"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    document_number = forms.CharField(label=_("Document number"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False
    )
    age = forms.CharField(label=_("Age (years)"), required=False)
    nationality = CountryField(label=_("Nationality"), required=False)
    conveyance = forms.ChoiceField(
        label=_("Conveyance"), choices=[("", "-"), *Conveyance.choices], required=False
    )
    company_plate = forms.CharField(label=_("Company / plate"), required=False)
    origin_country = CountryField(label=_("Origin country"), required=False)
    origin_place = forms.CharField(label=_("Origin place"), required=False)
    countries_visited = CountriesField(
        label=_("Countries visited in the last 14 days"), required=False
    )
    destination = forms.ChoiceField(label=_("Destination in Mali"), required=False)
    contact_sick = forms.ChoiceField(
        label=_("Contact with a sick person"), choices=YES_NO_UNKNOWN, required=False
    )
    temperature = forms.CharField(label=_("Temperature (°C)"), required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_symptom = forms.CharField(label=_("Other symptom"), required=False)
    decision = forms.ChoiceField(
        label=_("Agent's decision"), choices=DECISIONS, required=False, widget=forms.RadioSelect
    )
    override_reason = forms.CharField(
        label=_("Reason (when the decision differs from the case definition)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        points = sites_in_scope(user).filter(kinds__code__in=POINT_KINDS).distinct()
        self.fields["point"].choices = [(s.code, f"{s.name} ({s.code})") for s in points]
        areas = AdminArea.objects.filter(path__startswith="MLI/", level__in=[1, 2])
        self.fields["destination"].choices = [("", "-")] + [
            (a.pcode, f"{'— ' if a.level == 2 else ''}{a.name} ({a.pcode})") for a in areas
        ]
        self.fields["screened_at"].initial = _local_now()

    def as_data(self) -> dict:
        """The submission's fields, as an XLSForm instance would carry them."""
        values = dict(self.cleaned_data)
        values["symptoms"] = " ".join(values.get("symptoms") or [])
        values["countries_visited"] = " ".join(values.get("countries_visited") or [])
        return {k: v for k, v in values.items() if v not in (None, "")}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISIONS[1:], widget=forms.RadioSelect)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _sites(kind: str):
    return Site.objects.filter(kinds__code=kind).order_by("code")


class ReferForm(StepForm):
    facility = forms.ModelChoiceField(
        label=_("Health facility"), queryset=_sites(SiteKind.HEALTH_FACILITY)
    )
    transport = forms.ChoiceField(label=_("Transport"), choices=Screening.Transport.choices)


class SampleForm(StepForm):
    lab = forms.ModelChoiceField(label=_("Laboratory"), queryset=_sites(SiteKind.LABORATORY))
    sample_id = forms.CharField(
        label=_("Sample id (barcode)"),
        required=False,
        max_length=40,
        help_text=_("Empty: the screening's reference."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("barcode")}),
    )


class ResultForm(StepForm):
    result = forms.ChoiceField(label=_("Result"), choices=Screening.LabResult.choices)


class OutcomeForm(StepForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Screening.Outcome.choices)


class FollowUpStartForm(forms.Form):
    team = forms.CharField(label=_("Team"), required=False, max_length=60)


class FollowUpCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in FollowUpOutcome.choices if c[0] != FollowUpOutcome.SYMPTOMATIC],
    )
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class WorklistForm(forms.Form):
    on = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.CharField(label=_("Area (P-code)"), required=False, max_length=20)
    team = forms.CharField(label=_("Team"), required=False, max_length=60)


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reached = forms.TypedChoiceField(
        label=_("Traveller reached"),
        choices=[("yes", _("yes")), ("no", _("no: not found, no answer"))],
        coerce=lambda value: value == "yes",
        initial="yes",
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    temperature = forms.DecimalField(label=_("Temperature (°C)"), required=False, decimal_places=1)
    note = forms.CharField(label=_("Note"), required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    point = forms.CharField(label=_("Point (code)"), required=False)
