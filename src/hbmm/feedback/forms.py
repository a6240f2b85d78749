"""Web forms of community feedback: the coding, answer, referral and review steps (parsing
only; the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.feedback.models import Feedback


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

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start is after the end."))
        return cleaned
