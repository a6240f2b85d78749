"""Web forms of community event-based surveillance (parsing only)."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import sites_in_scope
from hbmm.health.ebs.models import Bottleneck, HealthEvent, ResponseAction, Signal
from hbmm.health.screening.forms import StepForm


class SignalForm(forms.Form):
    reporter = forms.CharField(label=_("Focal point key"), max_length=30)
    reported_at = forms.CharField(
        label=_("Reported at (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    detected_at = forms.CharField(
        label=_("First noticed at (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    emerged_on = forms.CharField(
        label=_("Date of emergence (first case or first sign), if known"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    emergence_kind = forms.ChoiceField(
        label=_("This date is the"),
        choices=[("", "-"), *Signal.Emergence.choices],
        required=False,
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    pcode = forms.CharField(label=_("or P-code"), required=False, max_length=20)
    latitude = forms.CharField(label=_("Latitude"), required=False)
    longitude = forms.CharField(label=_("Longitude"), required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=Signal.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    people_affected = forms.CharField(label=_("People affected"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "-")] + [
            (s.code, f"{s.name} ({s.code})") for s in sites_in_scope(user)
        ]
        self.fields["reported_at"].initial = timezone.now().strftime("%Y-%m-%dT%H:%M")

    def as_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class TriageForm(StepForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("verify", _("to verify")),
            ("discard", _("discard")),
            ("duplicate", _("duplicate of another signal")),
        ],
        widget=forms.RadioSelect,
    )
    duplicate_of = forms.IntegerField(label=_("Duplicate of (signal number)"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(StepForm):
    is_true = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("true: the event happened")), ("0", _("false"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    verifier_name = forms.CharField(label=_("Verified by"), max_length=150)
    emerged_on = forms.DateField(
        label=_("Date of emergence (first case or first sign)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    emergence_kind = forms.ChoiceField(
        label=_("This date is the"),
        choices=[("", "-"), *Signal.Emergence.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EventForm(StepForm):
    risk = forms.ChoiceField(label=_("Risk level"), choices=HealthEvent.Risk.choices)
    responsible = forms.CharField(label=_("Responsible"), max_length=150)
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EventUpdateForm(StepForm):
    risk = forms.ChoiceField(label=_("Risk level"), choices=HealthEvent.Risk.choices)
    responsible = forms.CharField(label=_("Responsible"), max_length=150)
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResponseActionForm(StepForm):
    """One line of the early-response checklist; `at` is when it was done."""

    item = forms.ChoiceField(label=_("Action"), choices=ResponseAction.Item.choices)
    state = forms.ChoiceField(
        label=_("State"), choices=ResponseAction.State.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (why it does not apply)"), required=False, max_length=500)


class BottleneckForm(forms.Form):
    target = forms.ChoiceField(label=_("Target missed"), choices=Bottleneck.Target.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Bottleneck.Category.choices)
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}))
    fix = forms.CharField(label=_("What would fix it"), widget=forms.Textarea(attrs={"rows": 2}))


class FocalPointFilterForm(forms.Form):
    q = forms.CharField(label=_("Key or name"), required=False, max_length=150)
    pcode = forms.CharField(label=_("Area (P-code)"), required=False, max_length=20)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("all")), ("1", _("active")), ("0", _("inactive"))],
    )


class FocalPointForm(forms.Form):
    key = forms.CharField(label=_("Key"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=150)
    pcode = forms.CharField(label=_("Admin area (P-code)"), max_length=20)
    site = forms.ChoiceField(label=_("Site"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    trained_on = forms.DateField(
        label=_("Trained on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, editing: bool = False, show_phone: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        site = cast(forms.ChoiceField, self.fields["site"])
        site.choices = [("", "-")] + [
            (s.code, f"{s.name} ({s.code})") for s in sites_in_scope(user)
        ]
        if editing:  # the key names the focal point in every form they send: it stays
            del self.fields["key"]
        if not show_phone:
            del self.fields["phone"]
