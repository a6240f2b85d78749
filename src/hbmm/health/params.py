"""Query parameters of the epidemiology and point-of-entry pages: a bad one is a 400 that
names the parameter."""

import datetime as dt

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


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
