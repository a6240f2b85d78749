"""What the epidemiology and point-of-entry pages share: their query parameters (a bad one is a
400 that names it) and the page of a record form sent through the intake pipeline."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hbmm.intake.channels.web import form_errors_add, web_submit


def _as_text(value) -> str:
    """A form value as a submission field: text, as an ODK instance carries it."""
    if value is None:
        return ""
    if hasattr(value, "code"):  # a site
        return value.code
    if isinstance(value, list | tuple):
        return " ".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def submit_through_pipeline(form: forms.Form, *, form_id: str, user):
    """Send the form's values through the pipeline as a web submission of `form_id`
    (`intake.channels.web.web_submit`). Returns the accepted submission, or None with the
    mapper's errors added to the form."""
    sent = web_submit(
        form_id=form_id,
        data={name: _as_text(value) for name, value in form.cleaned_data.items()},
        user=user,
    )
    if not sent.accepted:
        form_errors_add(form, sent.errors)
        return None
    return sent.submission


class BadParameter(ValueError):
    pass


def date_param(request, name: str, default: dt.date | None) -> dt.date | None:
    value = request.GET.get(name)
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            _("'%(value)s' is not a date (YYYY-MM-DD) for %(name)s.")
            % {"value": value, "name": name}
        ) from None


def bad_request(exc) -> HttpResponse:
    return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")


def record_form_page(request, form, *, form_id: str, title: str, saved: str, next_url: str):
    """A record form's page: on a valid POST the form goes through the intake pipeline as the
    form `form_id` (its errors come back on the form), then to `next_url` with `saved`."""
    if (
        request.method == "POST"
        and form.is_valid()
        and submit_through_pipeline(form, form_id=form_id, user=request.user)
    ):
        messages.success(request, saved)
        return redirect(next_url)
    return render(request, "health/form.html", {"form": form, "title": title})
