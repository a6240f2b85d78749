"""Pages of protection: the worklist and case list (names masked), the case, its forms and
actions, referrals as their recipients see them. Thin: parse, call one service or selector,
render. Who may see what is decided by the selectors."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.models import AuditEvent, User
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import audit_log
from hbmm.exports import FORMATS, export_response
from hbmm.protection import selectors, services
from hbmm.protection.forms import (
    AssistanceForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    ConsentForm,
    ReasonForm,
    ReferralForm,
    RespondForm,
    ReturnForm,
    StatusForm,
    TransferForm,
    add_errors,
)
from hbmm.protection.models import Case, Referral


@login_required
@permission_required("protection.view_referral", raise_exception=True)
def index(request):
    """The worklist: overdue referrals, referrals received, and the cases the user sees."""
    user = request.user
    context = {
        "overdue": selectors.referrals_overdue(user=user)[:50],
        "received": selectors.referrals_received(user=user).filter(
            status__in=selectors.OPEN_REFERRAL
        )[:50],
        "can_list": user.has_perm("protection.view_case"),
        "can_add": user.has_perm("protection.add_case"),
    }
    return render(request, "protection/index.html", context)


@login_required
@permission_required("protection.view_case", raise_exception=True)
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queryset = selectors.case_list(
        user=request.user,
        status=filters.get("status", ""),
        vulnerability=filters.get("vulnerability", ""),
    )
    fmt = request.GET.get("format", "")
    if fmt:
        return _export(request, queryset, fmt)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = selectors.case_rows(user=request.user, cases=page, request=request)
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "mask": selectors.MASK,
        "can_add": request.user.has_perm("protection.add_case"),
        "can_export": request.user.has_perm("protection.export_case"),
        "show_names": request.user.has_perm("protection.view_case_identifiers"),
    }
    return render(request, "protection/case_list.html", context)


EXPORT_HXL = (
    "#case+code",
    "#affected+name",
    "#affected+sex",
    "#affected+age+group",
    "#affected+nationality",
    "#loc+code",
    "#date+identified",
    "#affected+vulnerability",
    "#affected+needs",
    "#status",
    "#contact+owner",
    "#org+team",
)


def _export(request, queryset, fmt: str):
    if not request.user.has_perm("protection.export_case"):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise Http404
    rows = selectors.case_rows(user=request.user, cases=queryset, request=request, purpose="export")
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        target="protection.cases",
        details={"format": fmt, "rows": len(rows), "filters": dict(request.GET.items())},
        request=request,
    )
    header = [
        _("Case key"),
        _("Name"),
        _("Sex"),
        _("Age group"),
        _("Nationality"),
        _("Site"),
        _("Identified on"),
        _("Vulnerabilities"),
        _("Needs"),
        _("Status"),
        _("Owner"),
        _("Team"),
    ]
    data = [
        (
            r.case.case_key,
            selectors.MASK if r.masked else r.name,
            r.case.sex,
            r.case.age_group,
            r.case.nationality,
            r.case.site.code,
            r.case.identified_on,
            [] if r.masked else r.case.vulnerabilities,
            [] if r.masked else r.case.needs,
            r.case.status,
            r.case.owner.get_username(),
            r.case.team.code if r.case.team else "",
        )
        for r in rows
    ]
    return export_response(
        fmt,
        filename="hbmm-protection-cases",
        header=header,
        hxl=EXPORT_HXL,
        rows=data,
        title=_("Protection cases"),
    )


@login_required
@permission_required("protection.add_case", raise_exception=True)
def case_new(request):
    form = CaseForm(
        request.POST or None, user=request.user, initial={"identified_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_register(by=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Case %(key)s registered.") % {"key": case.case_key})
            return redirect("protection:case_detail", case_key=case.case_key)
    return render(request, "protection/case_form.html", {"form": form, "case": None})


@login_required
@permission_required("protection.view_case", raise_exception=True)
def case_detail(request, case_key: str):
    user = request.user
    case = selectors.case_get(user=user, case_key=case_key, request=request)
    identifiers = None
    if request.GET.get("identifiers") == "1":
        identifiers = selectors.case_identifiers_read(user=user, case=case, request=request)
    today = timezone.localdate()
    context = {
        "case": case,
        "identifiers": identifiers,
        "can_read_identifiers": selectors.can_read_identifiers(user, case),
        "can_change": user.has_perm("protection.change_case"),
        "can_refer": user.has_perm("protection.add_referral") and case.status != "closed",
        "can_override": user.has_perm("protection.override_consent"),
        "can_transfer": user.has_perm("protection.transfer_case"),
        "can_assist": user.has_perm("protection.add_assistance"),
        "referrals": selectors.case_referrals(case=case),
        "assistance": selectors.case_assistance(case=case),
        "voluntary_return": selectors.case_return(case=case),
        "events": selectors.case_events(case=case)[:100],
        "consent_form": ConsentForm(
            initial={
                "services": case.consent_services,
                "disclosure": case.consent_disclosure,
                "statistics": case.consent_statistics,
                "on": today,
            }
        ),
        "status_form": StatusForm(),
        "referral_form": ReferralForm(),
        "assistance_form": AssistanceForm(initial={"given_on": today}),
        "return_form": ReturnForm(instance=selectors.case_return(case=case)),
        "transfer_form": TransferForm(),
        "revoke_form": ReasonForm(),
    }
    return render(request, "protection/case_detail.html", context)


@login_required
@permission_required("protection.change_case", raise_exception=True)
def case_edit(request, case_key: str):
    user = request.user
    case = selectors.case_find(user=user, case_key=case_key)
    with_identifiers = selectors.can_read_identifiers(user, case)
    initial = {
        "sex": case.sex,
        "age_group": case.age_group,
        "nationality": case.nationality,
        "vulnerabilities": case.vulnerabilities,
        "needs": case.needs,
        "is_gbv": case.is_gbv,
    }
    if with_identifiers and request.method != "POST":
        initial.update(selectors.case_identifiers_read(user=user, case=case, request=request))
    form = CaseEditForm(request.POST or None, initial=initial, with_identifiers=with_identifiers)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(by=user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Case %(key)s saved.") % {"key": case.case_key})
            return redirect("protection:case_detail", case_key=case.case_key)
    return render(request, "protection/case_form.html", {"form": form, "case": case})


CASE_ACTIONS = ("consent", "status", "refer", "assistance", "return", "transfer")


@login_required
@require_POST
def case_action(request, case_key: str, action: str):
    """One write on the case from its page; errors are shown as messages on the page."""
    if action not in CASE_ACTIONS:
        raise Http404
    user = request.user
    if not user.has_perm("protection.view_case"):
        raise PermissionDenied
    case = selectors.case_find(user=user, case_key=case_key)
    try:
        done = _case_action(request, user, case, action)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if done:
            messages.success(request, done)
    return redirect("protection:case_detail", case_key=case.case_key)


def _form_errors(form) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[f].label if f in form.fields else ''} {' '.join(m)}".strip()
            for f, m in form.errors.items()
        ]
    )


def _case_action(request, user: User, case: Case, action: str) -> str:
    post = request.POST
    form: forms.BaseForm
    if action == "consent":
        form = ConsentForm(post)
        if not form.is_valid():
            raise _form_errors(form)
        services.case_consent_set(by=user, case=case, **form.cleaned_data)
        return _("Consent recorded.")
    if action == "status":
        form = StatusForm(post)
        if not form.is_valid():
            raise _form_errors(form)
        services.case_status_set(by=user, case=case, **form.cleaned_data)
        return _("Status changed.")
    if action == "refer":
        form = ReferralForm(post)
        if not form.is_valid():
            raise _form_errors(form)
        referral = services.referral_create(by=user, case=case, **form.cleaned_data)
        if referral.consent_override:
            return _("Referral made without consent: the override is recorded.")
        return _("Referral made.")
    if action == "assistance":
        form = AssistanceForm(post)
        if not form.is_valid():
            raise _form_errors(form)
        services.assistance_record(by=user, case=case, **form.cleaned_data)
        return _("Assistance recorded.")
    if action == "return":
        form = ReturnForm(post, instance=selectors.case_return(case=case))
        if not form.is_valid():
            raise _form_errors(form)
        services.voluntary_return_set(by=user, case=case, **form.cleaned_data)
        return _("Voluntary return saved.")
    form = TransferForm(post)  # transfer
    if not form.is_valid():
        raise _form_errors(form)
    to = User.objects.filter(username=form.cleaned_data["to"].strip()).first()
    if to is None:
        raise ValidationError({"to": _("No such user.")})
    services.case_transfer(by=user, case=case, to=to, reason=form.cleaned_data["reason"])
    return _("Case transferred.")


@login_required
@permission_required("protection.break_glass", raise_exception=True)
def case_glass(request, case_key: str):
    """Break the glass: open a case the record rules hide, for a written reason."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_break_glass(
                by=request.user,
                case_key=case_key,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("protection:case_detail", case_key=case_key)
    else:
        selectors.case_in_geographic_scope(user=request.user, case_key=case_key)  # 404 outside
    return render(request, "protection/glass.html", {"form": form, "case_key": case_key})


@login_required
@permission_required("protection.view_referral", raise_exception=True)
def referral_detail(request, pk: int):
    user = request.user
    referral = selectors.referral_get(user=user, pk=pk)
    recipient = selectors.is_recipient(user, referral)
    shared = (
        selectors.referral_shared_read(user=user, referral=referral, request=request)
        if (recipient)
        else None
    )
    context = {
        "referral": referral,
        "recipient": recipient,
        "shared": shared,
        "respond_form": RespondForm(),
        "can_respond": recipient and user.has_perm("protection.respond_referral"),
        "moves": services.RECIPIENT_MOVES.get(referral.status, ()),
    }
    return render(request, "protection/referral_detail.html", context)


@login_required
@require_POST
def referral_action(request, pk: int, action: str):
    user = request.user
    referral = selectors.referral_get(user=user, pk=pk)
    form: forms.BaseForm
    try:
        if action == "respond":
            form = RespondForm(request.POST)
            if not form.is_valid():
                raise _form_errors(form)
            services.referral_respond(by=user, referral=referral, **form.cleaned_data)
        elif action == "revoke":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise _form_errors(form)
            services.referral_revoke(by=user, referral=referral, **form.cleaned_data)
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Referral: %(status)s.")
            % {"status": Referral.objects.get(pk=pk).get_status_display()},
        )
    if action == "revoke":
        return redirect("protection:case_detail", case_key=referral.case.case_key)
    return redirect("protection:referral_detail", pk=pk)


@login_required
@permission_required("protection.view_sitemonitoring", raise_exception=True)
def sites(request):
    """Temporary sites (CCCM): the latest monitoring visit and the referral pathway of each."""
    scope = user_scope(request.user)
    today = timezone.localdate()
    context = {
        "statuses": selectors.temporary_sites(scope=scope),
        "totals": selectors.temporary_sites_totals(scope=scope, on=today),
        "form_id": "site_monitoring",
    }
    return render(request, "protection/sites.html", context)
