"""Web forms of community feedback: the entry itself (through the intake pipeline), the
coding, answer, referral and review steps (parsing only; the services decide)."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import sites_in_scope
from hbmm.feedback.models import Feedback
from hbmm.places.selectors import region_choices


class CodeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Feedback.Kind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Feedback.Topic.choices)
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"), choices=Feedback.Sensitivity.choices, initial="normal"
    )
    signal = forms.IntegerField(
        label=_("Community signal number (if it is one)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer given"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    responder = forms.CharField(label=_("Answered by"), max_length=150, required=False)


class ReferForm(forms.Form):
    to = forms.CharField(label=_("Referred to"), max_length=200)


class ReviewForm(forms.Form):
    publishable = forms.BooleanField(label=_("Publishable"), required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.ModelChoiceField(
        label=_("Region"),
        queryset=region_choices(),
        to_field_name="pcode",
        required=False,
        empty_label=_("all in your scope"),
    )

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start is after the end."))
        return cleaned


class FeedbackForm(forms.Form):
    """A hotline operator's (or a focal point's) entry on the web; it goes through the intake
    pipeline as the `feedback` form would (`hbmm.intake.channels.web`)."""

    received_at = forms.CharField(
        label=_("Received at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Feedback.Channel.choices, initial="hotline"
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    pcode = forms.CharField(label=_("or P-code"), required=False, max_length=20)
    source_type = forms.ChoiceField(
        label=_("From whom"), choices=Feedback.SourceType.choices, initial="unknown"
    )
    name_consent = forms.BooleanField(
        label=_("The person agrees to give their name"), required=False
    )
    source_name = forms.CharField(label=_("Name (with consent)"), required=False, max_length=150)
    text = forms.CharField(
        label=_("What was said"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The person's words, without a name or detail that identifies them."),
    )
    kind = forms.ChoiceField(
        label=_("Type (if you know)"), required=False, choices=[("", "—"), *Feedback.Kind.choices]
    )
    topic = forms.ChoiceField(
        label=_("Topic (if you know)"),
        required=False,
        choices=[("", "—"), *Feedback.Topic.choices],
    )
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"), choices=Feedback.Sensitivity.choices, initial="normal"
    )
    signal = forms.IntegerField(
        label=_("Community signal number (if it is one)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", "—")] + [
            (s.code, f"{s.name} ({s.code})") for s in sites_in_scope(user).order_by("code")
        ]
        self.fields["received_at"].initial = timezone.now().strftime("%Y-%m-%dT%H:%M")

    def as_data(self) -> dict:
        """The values as the pipeline receives them (blank ones left out)."""
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
        if data.pop("name_consent", False):
            data["name_consent"] = "yes"
        return {k: str(v) for k, v in data.items()}
