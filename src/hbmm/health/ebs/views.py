"""Pages of community event-based surveillance: the signals board, list, web form, and the
signal page with its triage / verification / event actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import user_scope
from hbmm.health.ebs import early_response, figures, performance, selectors, services
from hbmm.health.ebs.forms import (
    BottleneckForm,
    EventForm,
    EventUpdateForm,
    ResponseActionForm,
    SignalForm,
    TriageForm,
    VerifyForm,
)
from hbmm.health.ebs.intake_mappers import FORM_ID
from hbmm.health.ebs.models import Signal
from hbmm.health.screening.forms import PeriodForm
from hbmm.health.workflow_views import workflow_action
from hbmm.intake.channels.web import form_errors_add, web_submit
from hbmm.presentation.as_of import day_end, request_as_of


@login_required
@permission_required("health.view_signal", raise_exception=True)
def board(request):
    form = PeriodForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    # Ages are measured at the end of the page's as-of date (now when it is today).
    now = day_end(request_as_of(request))
    return render(
        request,
        "health/ebs/board.html",
        {
            "board": selectors.signals_board(scope=user_scope(request.user), now=now),
            "timeliness": selectors.signals_timeliness(
                scope=user_scope(request.user), start=start, end=end, now=now
            ),
            "form": form if form.is_bound else PeriodForm(),
        },
    )


@login_required
@permission_required("health.view_signal", raise_exception=True)
def signal_list(request):
    queryset = selectors.signal_list(
        scope=user_scope(request.user),
        status=request.GET.get("status", ""),
        kind=request.GET.get("kind", ""),
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    now = day_end(request_as_of(request))
    rows = [(s, selectors.signal_timeliness(s, now=now)) for s in page]
    return render(
        request,
        "health/ebs/list.html",
        {
            "page": page,
            "rows": rows,
            "statuses": Signal.Status.choices,
            "kinds": Signal.Kind.choices,
        },
    )


@login_required
@permission_required("health.add_signal", raise_exception=True)
def signal_new(request):
    form = SignalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        sent = web_submit(form_id=FORM_ID, data=form.as_data(), user=request.user)
        if sent.accepted:
            signal = Signal.objects.get(submission=sent.submission)
            messages.success(request, _("Signal recorded."))
            if request.user.has_perm("health.view_signal"):
                return redirect("health:signal_detail", pk=signal.pk)
            return redirect("health:signal_new")
        form_errors_add(form, sent.errors)
    return render(request, "health/ebs/form.html", {"form": form})


@login_required
@permission_required("health.view_signal", raise_exception=True)
def signal_detail(request, pk: int):
    signal = selectors.signal_get(scope=user_scope(request.user), pk=pk)
    event = signal.event if selectors.signal_has_event(signal) else None
    now = day_end(request_as_of(request))
    return render(
        request,
        "health/ebs/detail.html",
        {
            "signal": signal,
            "event": event,
            "timeliness": selectors.signal_timeliness(signal, now=now),
            "checklist": performance.checklist(event) if event else [],
            "unreviewed": performance.missed_without_review(event, now=now) if event else [],
            "action_form": ResponseActionForm(),
            "bottleneck_form": BottleneckForm(),
            "candidates": selectors.signal_duplicate_candidates(
                scope=user_scope(request.user), signal=signal
            )[:20],
            "triage_form": TriageForm(),
            "verify_form": VerifyForm(),
            "event_form": EventForm(),
            "event_update_form": EventUpdateForm(
                initial={
                    "risk": event.risk,
                    "responsible": event.responsible,
                    "actions": event.actions,
                }
                if event
                else None
            ),
            "can_change": request.user.has_perm("health.change_signal"),
            "can_event": request.user.has_perm("health.change_healthevent"),
        },
    )


ACTIONS = {
    "triage": ("health.change_signal", TriageForm),
    "verify": ("health.change_signal", VerifyForm),
    "event": ("health.add_healthevent", EventForm),
    "event_update": ("health.change_healthevent", EventUpdateForm),
    "event_close": ("health.change_healthevent", None),
    "response_action": ("health.change_healthevent", ResponseActionForm),
    "bottleneck": ("health.change_healthevent", BottleneckForm),
}


def _run(action: str, signal: Signal, data: dict, user):
    at = data.get("at")
    if action == "triage":
        original = None
        if data["decision"] == "duplicate" and data.get("duplicate_of"):
            original = selectors.signal_get(scope=user_scope(user), pk=data["duplicate_of"])
        return services.signal_triage(
            signal=signal,
            by=user,
            decision=data["decision"],
            note=data["note"],
            duplicate_of=original,
            at=at,
        )
    if action == "verify":
        return services.signal_verify(
            signal=signal,
            by=user,
            is_true=data["is_true"],
            verifier_name=data["verifier_name"],
            note=data["note"],
            at=at,
            emerged_on=data["emerged_on"],
            emergence_kind=data["emergence_kind"],
        )
    if action == "event":
        return services.event_open(
            signal=signal,
            by=user,
            risk=data["risk"],
            responsible=data["responsible"],
            actions=data["actions"],
            at=at,
        )
    if not selectors.signal_has_event(signal):
        raise Http404
    if action == "event_update":
        return services.event_update(
            event=signal.event,
            by=user,
            risk=data["risk"],
            responsible=data["responsible"],
            actions=data["actions"],
        )
    if action == "response_action":
        return early_response.response_action_record(
            event=signal.event,
            item=data["item"],
            state=data["state"],
            done_at=at,
            note=data["note"],
            by=user,
        )
    if action == "bottleneck":
        return early_response.bottleneck_record(
            event=signal.event,
            target=data["target"],
            category=data["category"],
            cause=data["cause"],
            fix=data["fix"],
            by=user,
        )
    return services.event_close(event=signal.event, by=user)


@login_required
@permission_required("health.view_healthevent", raise_exception=True)
def performance_page(request):
    """The 7-1-7 review: events meeting each target and all three, by week and by region,
    and the bottleneck categories most often cited, over the period asked for."""
    form = PeriodForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    scope = user_scope(request.user)
    now = day_end(request_as_of(request))
    return render(
        request,
        "health/ebs/performance.html",
        {
            "form": form if form.is_bound else PeriodForm(),
            "total": figures.events_717(scope=scope, start=start, end=end, now=now),
            "by_week": figures.events_717(scope=scope, start=start, end=end, by="week", now=now),
            "by_area": figures.events_717(scope=scope, start=start, end=end, by="area", now=now),
            "bottlenecks": performance.bottleneck_counts(scope=scope, start=start, end=end),
        },
    )


@login_required
@require_POST
def signal_action(request, pk: int, action: str):
    return workflow_action(
        request,
        pk=pk,
        action=action,
        actions=ACTIONS,
        get_record=selectors.signal_get,
        run=_run,
        detail_url="health:signal_detail",
    )
