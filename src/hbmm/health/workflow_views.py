"""The view step shared by the screening and signal workflows (posted from a record's page)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hbmm.accounts.scope import user_scope


def workflow_action(request, *, pk: int, action: str, actions: dict, get_record, run, detail_url):
    """Run one workflow step on a record. The action must exist (404), the user must hold its
    permission (403) and see the record (404 outside scope); the step's form is checked, then
    `run(action, record, data, user)` calls the service, whose refusal (a forbidden
    transition) is shown as a message."""
    if action not in actions:
        raise Http404
    permission, form_class = actions[action]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    record = get_record(scope=user_scope(request.user), pk=pk)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
            return redirect(detail_url, pk=pk)
        data = form.cleaned_data
    try:
        run(action, record, data, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect(detail_url, pk=pk)
