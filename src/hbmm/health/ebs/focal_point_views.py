"""Pages of the community focal points: the list (filters, the shared pager), a new focal
point, a focal point's edit page and its deactivation. Phone numbers are personal data: shown
and edited only with `health.view_focalpoint_phone`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import sites_in_scope, user_scope
from hbmm.health.ebs import focal_points, selectors
from hbmm.health.ebs.forms import FocalPointFilterForm, FocalPointForm

PAGE_SIZE = 50
PHONE_PERMISSION = "health.view_focalpoint_phone"


@login_required
@permission_required("health.view_focalpoint", raise_exception=True)
def focal_point_list(request):
    form = FocalPointFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queryset = selectors.focal_point_list(
        scope=user_scope(request.user),
        q=filters.get("q", ""),
        pcode=filters.get("pcode", ""),
        active=filters.get("active", ""),
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "health/ebs/focal_points.html",
        {
            "form": form if form.is_bound else FocalPointFilterForm(),
            "page": page,
            "show_phone": request.user.has_perm(PHONE_PERMISSION),
        },
    )


def _place(form: FocalPointForm, user):
    """The area and site the form names, in the user's scope; errors added to the form."""
    scope = user_scope(user)
    area = selectors.area_in_scope(scope=scope, pcode=form.cleaned_data["pcode"])
    if area is None:
        form.add_error("pcode", _("Unknown P-code, or outside your geographic scope."))
    site = None
    if form.cleaned_data.get("site"):
        site = sites_in_scope(scope).filter(code=form.cleaned_data["site"]).first()
    return area, site


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@permission_required("health.add_focalpoint", raise_exception=True)
def focal_point_new(request):
    show_phone = request.user.has_perm(PHONE_PERMISSION)
    form = FocalPointForm(request.POST or None, user=request.user, show_phone=show_phone)
    if request.method == "POST" and form.is_valid():
        area, site = _place(form, request.user)
        if area is not None:
            try:
                focal_points.focal_point_create(
                    key=form.cleaned_data["key"],
                    name=form.cleaned_data["name"],
                    area=area,
                    site=site,
                    phone=form.cleaned_data.get("phone", ""),
                    trained_on=form.cleaned_data["trained_on"],
                    by=request.user,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Focal point recorded."))
                return redirect("health:focal_point_list")
    return render(request, "health/ebs/focal_point_form.html", {"form": form, "focal_point": None})


@login_required
@permission_required("health.change_focalpoint", raise_exception=True)
def focal_point_edit(request, pk: int):
    focal_point = selectors.focal_point_get(scope=user_scope(request.user), pk=pk)
    show_phone = request.user.has_perm(PHONE_PERMISSION)
    initial = {
        "name": focal_point.name,
        "pcode": focal_point.area.pcode,
        "site": focal_point.site.code if focal_point.site else "",
        "phone": focal_point.phone,
        "trained_on": focal_point.trained_on,
    }
    form = FocalPointForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        editing=True,
        show_phone=show_phone,
    )
    if request.method == "POST" and form.is_valid():
        area, site = _place(form, request.user)
        if area is not None:
            try:
                focal_points.focal_point_update(
                    focal_point=focal_point,
                    name=form.cleaned_data["name"],
                    area=area,
                    site=site,
                    phone=form.cleaned_data["phone"] if show_phone else None,
                    trained_on=form.cleaned_data["trained_on"],
                    by=request.user,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Focal point updated."))
                return redirect("health:focal_point_list")
    return render(
        request, "health/ebs/focal_point_form.html", {"form": form, "focal_point": focal_point}
    )


@login_required
@require_POST
@permission_required("health.change_focalpoint", raise_exception=True)
def focal_point_active(request, pk: int):
    """Deactivate (or reactivate, `active=1`) a focal point."""
    focal_point = selectors.focal_point_get(scope=user_scope(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        focal_points.focal_point_set_active(focal_point=focal_point, active=active, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Focal point reactivated.") if active else _("Focal point deactivated.")
        )
    return redirect("health:focal_point_edit", pk=pk)
