"""Pages of community feedback: the overview (figures, weekly chart by topic, top rumours,
entries waiting), one entry's page with its coding, answer, referral and review steps. The log
itself is the registered table's page (`feedback:table`)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import user_scope
from hbmm.feedback import figures, selectors, services
from hbmm.feedback.charts import weekly_by_topic_chart
from hbmm.feedback.forms import (
    AnswerForm,
    CodeForm,
    FeedbackForm,
    PeriodForm,
    ReferForm,
    ReviewForm,
)
from hbmm.feedback.xlsforms import FORM_ID
from hbmm.health.ebs.selectors import signals_for
from hbmm.intake.channels.web import form_errors_add, web_submit
from hbmm.presentation.charts import embed_options

VIEW = "feedback.view_feedback"
CHANGE = "feedback.change_feedback"
WINDOW_DAYS = 7
CHART_WEEKS = 12
REACH_MONTHS = 2  # the RCCE reach table: the end's month and the 2 before


@login_required
@permission_required(VIEW, raise_exception=True)
def index(request):
    scope = user_scope(request.user)
    form = PeriodForm(request.GET or None)
    end = selectors.latest_feedback_date(scope=scope) or timezone.now().date()
    start = end - dt.timedelta(days=WINDOW_DAYS - 1)
    area = None
    if form.is_bound and form.is_valid():
        end = form.cleaned_data["end"] or end
        start = form.cleaned_data["start"] or end - dt.timedelta(days=WINDOW_DAYS - 1)
        area = form.cleaned_data["area"]
        if area is not None:  # trends by area: the page's figures, chart and lists for one region
            scope = scope.narrow(area)
    period = figures.feedback_period(scope=scope, start=start, end=end)
    chart_start = end - dt.timedelta(weeks=CHART_WEEKS) + dt.timedelta(days=1)
    chart = weekly_by_topic_chart(
        selectors.feedback_weekly(scope=scope, start=chart_start, end=end)
    )
    reach = reach_rows = None
    if selectors.may_read_reach(request.user):
        organisations = selectors.reach_organisations(request.user)
        reach = figures.rcce_reach(scope=scope, organisations=organisations, month=end, end=end)
        reach_start = (end.replace(day=1) - dt.timedelta(days=REACH_MONTHS * 31)).replace(day=1)
        reach_rows = selectors.reach_beside_feedback(
            scope=scope, organisations=organisations, start=reach_start, end=end
        )
    pending = selectors.feedback_list(scope=scope, status="pending").order_by("received_at", "pk")
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/index.html",
        {
            "form": form if form.is_bound else PeriodForm(initial={"start": start, "end": end}),
            "start": start,
            "end": end,
            "area": area,
            "period": period,
            "rumours": figures.top_rumours(scope=scope, start=start, end=end),
            "regions": selectors.feedback_per_region(scope=scope, start=start, end=end),
            "chart": chart,
            "reach": reach,
            "reach_rows": reach_rows,
            "embed_options": embed_options(),
            "page": page,
        },
    )


@login_required
@permission_required("feedback.add_feedback", raise_exception=True)
def feedback_new(request):
    """Log an entry on the web (a hotline operator during the call): it goes through the intake
    pipeline like the field form, so it is stored raw (encrypted) before it is mapped."""
    form = FeedbackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        submitted = web_submit(form_id=FORM_ID, data=form.as_data(), user=request.user)
        if submitted.accepted:
            messages.success(request, _("Entry recorded."))
            if request.user.has_perm(VIEW):
                entry = selectors.feedback_for(user_scope(request.user)).get(
                    submission=submitted.submission
                )
                return redirect("feedback:detail", pk=entry.pk)
            return redirect("feedback:new")
        form_errors_add(form, submitted.errors)
    return render(request, "feedback/form.html", {"form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def feedback_detail(request, pk: int):
    scope = user_scope(request.user)
    feedback = selectors.feedback_get(scope=scope, pk=pk)
    texts = None
    if selectors.can_read_text(request.user, feedback):
        texts = selectors.feedback_text_read(user=request.user, feedback=feedback, request=request)
    signal = None
    if feedback.signal_id:
        signal = signals_for(scope).filter(pk=feedback.signal_id).first()
    return render(
        request,
        "feedback/detail.html",
        {
            "feedback": feedback,
            "texts": texts,
            "signal": signal,
            "code_form": CodeForm(
                initial={
                    "kind": feedback.kind,
                    "topic": feedback.topic,
                    "sensitivity": feedback.sensitivity,
                    "signal": feedback.signal_id,
                }
            ),
            "answer_form": AnswerForm(),
            "refer_form": ReferForm(),
            "review_form": ReviewForm(initial={"publishable": feedback.publishable}),
            "can_change": request.user.has_perm(CHANGE),
            "can_review": request.user.has_perm(selectors.PUBLISH_PERMISSION),
        },
    )


ACTIONS = {
    "code": (CHANGE, CodeForm),
    "answer": (CHANGE, AnswerForm),
    "refer": (CHANGE, ReferForm),
    "close": (CHANGE, None),
    "review": (selectors.PUBLISH_PERMISSION, ReviewForm),
}


def _run(action: str, feedback, data: dict, user):
    if action == "code":
        return services.feedback_code(
            feedback=feedback,
            by=user,
            kind=data["kind"],
            topic=data["topic"],
            sensitivity=data["sensitivity"],
            signal_id=data.get("signal"),
        )
    if action == "answer":
        return services.feedback_answer(
            feedback=feedback, by=user, answer=data["answer"], responder=data["responder"]
        )
    if action == "refer":
        return services.feedback_refer(feedback=feedback, by=user, to=data["to"])
    if action == "close":
        return services.feedback_close(feedback=feedback, by=user)
    return services.feedback_publishable_set(
        feedback=feedback, by=user, publishable=data["publishable"]
    )


@login_required
@require_POST
def feedback_action(request, pk: int, action: str):
    """One workflow step, posted from the entry's page: unknown step 404, step outside the
    role 403, entry outside the scope 404; a refusal of the service is shown as a message."""
    if action not in ACTIONS:
        raise Http404
    permission, form_class = ACTIONS[action]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    feedback = selectors.feedback_get(scope=user_scope(request.user), pk=pk)
    data: dict = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(
                    request,
                    f"{form.fields[field].label if field in form.fields else field} : {' '.join(str(e) for e in errors)}",
                )
            return redirect("feedback:detail", pk=pk)
        data = form.cleaned_data
    try:
        _run(action, feedback, data, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect("feedback:detail", pk=pk)
