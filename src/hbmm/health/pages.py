"""What the epidemiology and point-of-entry pages share: their query parameters (a bad one is a
400 that names it) and the page of a record form sent through the intake pipeline."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hbmm.health.forms import submit_through_pipeline


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
