"""The supplies pages: the overview (stock per holder, stock-out warnings, the loop with the
points of entry's capacity gaps, transfers to confirm) and the ledger's forms. Thin: parse,
call one service or selector, render. Lists are the tables of `supplies.tables`."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hbmm.accounts.scope import user_scope
from hbmm.places.selectors import area_choices, area_narrowing
from hbmm.presentation.as_of import request_as_of
from hbmm.supplies import figures, selectors, services
from hbmm.supplies.forms import (
    AdjustForm,
    DispatchForm,
    DistributionForm,
    ReceiptForm,
    ReceiveForm,
)
from hbmm.supplies.models import Transfer


def _need(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


@login_required
def index(request):
    _need(request.user, "supplies.view_movement")
    scope, area = user_scope(request.user), None
    areas = area_choices(scope=scope)
    if request.GET.get("area"):
        area, scope = area_narrowing(scope=scope, pcode=request.GET["area"])
    default = request_as_of(request)  # the one as-of date of every page
    try:
        as_of = dt.date.fromisoformat(request.GET.get("as_of") or default.isoformat())
    except ValueError:
        return HttpResponseBadRequest(
            _("as_of: “%(value)s” is not a date (YYYY-MM-DD).") % {"value": request.GET["as_of"]},
            content_type="text/plain; charset=utf-8",
        )
    section = figures.supplies_section(scope=scope, as_of=as_of)
    context = {
        "as_of": as_of,
        "area": area,
        "area_pcode": area.pcode if area else None,
        "areas": areas,
        "section": section,
        "stock": selectors.stock_table(scope=scope, as_of=as_of),
        "warnings": selectors.stockout_warnings(scope=scope, as_of=as_of),
        "loop": [
            (p, [{**g, "label": selectors.gap_labels()[g["gap"]]} for g in p.gap_rows])
            for p in selectors.capacity_loop(scope=scope, as_of=as_of)
        ],
        "expiring": selectors.expiring_batches(scope=scope, as_of=as_of),
        "to_receive": list(
            selectors.transfers(scope=scope, status=Transfer.Status.IN_TRANSIT)[:50]
        ),
        "threshold": selectors.stockout_threshold_days(),
        "can": {
            name: request.user.has_perm(f"supplies.{name}")
            for name in (
                "record_receipt",
                "dispatch_stock",
                "receive_transfer",
                "distribute_stock",
                "adjust_stock",
            )
        },
    }
    return render(request, "supplies/index.html", context)


def _form_page(request, *, permission, form_class, title, write):
    _need(request.user, permission)
    scope = user_scope(request.user)
    form = form_class(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            message = write(request.user, form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, message)
            return redirect("supplies:index")
    return render(request, "supplies/form.html", {"form": form, "title": title})


@login_required
def receipt_new(request):
    def write(user, data):
        movement = services.receipt_record(actor=user, **data)
        return _("Receipt recorded: %(quantity)d %(item)s at %(holder)s.") % {
            "quantity": movement.quantity,
            "item": movement.item.code,
            "holder": movement.holder.code,
        }

    return _form_page(
        request,
        permission="supplies.record_receipt",
        form_class=ReceiptForm,
        title=_("Receipt from procurement"),
        write=write,
    )


@login_required
def dispatch_new(request):
    def write(user, data):
        transfer = services.transfer_dispatch(actor=user, **data)
        return _("Transfer T%(pk)d dispatched: %(quantity)d %(item)s to %(holder)s.") % {
            "pk": transfer.pk,
            "quantity": transfer.quantity,
            "item": transfer.item.code,
            "holder": transfer.destination.code,
        }

    return _form_page(
        request,
        permission="supplies.dispatch_stock",
        form_class=DispatchForm,
        title=_("Dispatch"),
        write=write,
    )


@login_required
def distribution_new(request):
    def write(user, data):
        lines = services.distribution_record(actor=user, **data)
        return _("Distribution recorded: %(quantity)d %(item)s.") % {
            "quantity": -sum(line.quantity for line in lines),
            "item": data["item"].code,
        }

    return _form_page(
        request,
        permission="supplies.distribute_stock",
        form_class=DistributionForm,
        title=_("Distribution"),
        write=write,
    )


@login_required
def adjust_new(request):
    def write(user, data):
        movement = services.stock_adjust(actor=user, **data)
        return _("%(kind)s recorded: %(quantity)+d %(item)s at %(holder)s.") % {
            "kind": movement.get_kind_display().capitalize(),
            "quantity": movement.quantity,
            "item": movement.item.code,
            "holder": movement.holder.code,
        }

    return _form_page(
        request,
        permission="supplies.adjust_stock",
        form_class=AdjustForm,
        title=_("Loss or adjustment"),
        write=write,
    )


@login_required
def transfer_receive(request, pk: int):
    _need(request.user, "supplies.receive_transfer")
    transfer = selectors.transfer_in_scope(scope=user_scope(request.user), pk=pk)
    if transfer is None:
        raise Http404
    form = ReceiveForm(request.POST or None, initial={"quantity_received": transfer.quantity})
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_receive(actor=request.user, transfer=transfer, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Transfer T%(pk)d received: %(quantity)d %(item)s.")
                % {
                    "pk": transfer.pk,
                    "quantity": form.cleaned_data["quantity_received"],
                    "item": transfer.item.code,
                },
            )
            return redirect("supplies:index")
    return render(
        request,
        "supplies/form.html",
        {
            "form": form,
            "title": _("Receipt of transfer T%(pk)d") % {"pk": transfer.pk},
            "transfer": transfer,
        },
    )
