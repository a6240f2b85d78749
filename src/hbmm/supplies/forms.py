"""The web forms of the ledger (receipt, dispatch, receipt of a transfer, distribution, loss
or adjustment). They parse; the services validate and write. Holders offered are those in the
user's scope."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from hbmm.accounts.scope import EVERYTHING
from hbmm.places.models import Site
from hbmm.supplies import selectors, services
from hbmm.supplies.models import Holder, Item, Movement


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class _HolderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class _ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name} ({obj.get_unit_display()})"


class _HolderOrSite(forms.ChoiceField):
    """A warehouse, or any site that may hold stock (its holder is made when first used):
    "h<id>" or "s<id>"."""

    def __init__(self, *, label):
        super().__init__(label=label, choices=())

    def offer(self, holders, sites) -> None:
        self.choices = (
            [("", "---------")]
            + [(f"h{h.pk}", f"{h.code} — {h.name}") for h in holders]
            + [(f"s{s.pk}", f"{s.code} — {s.name}") for s in sites]
        )

    def clean(self, value):
        value = super().clean(value)
        if value.startswith("h"):
            return Holder.objects.get(pk=int(value[1:]))
        return services.holder_for_site(Site.objects.get(pk=int(value[1:])))


class LedgerForm(forms.Form):
    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, _HolderChoice):
                field.queryset = selectors.holders(scope=scope)
            if isinstance(field, _HolderOrSite):
                reach = EVERYTHING if name == "destination" else scope
                field.offer(
                    selectors.holders(scope=reach).filter(kind=Holder.Kind.WAREHOUSE),
                    selectors.stock_sites(scope=reach),
                )
        item = self.fields.get("item")
        if isinstance(item, forms.ModelChoiceField):
            item.queryset = Item.objects.all()


def _date(label):
    return forms.DateField(label=label, widget=DateInput(), initial=dt.date.today)


class ReceiptForm(LedgerForm):
    holder = _HolderOrSite(label=_("Received at"))
    item = _ItemChoice(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    occurred_on = _date(_("Date received"))
    supplier = forms.CharField(label=_("Supplier"), max_length=120)
    order_reference = forms.CharField(label=_("Order reference"), max_length=60)
    unit_cost = forms.DecimalField(
        label=_("Unit cost (USD)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    batch = forms.CharField(label=_("Batch"), max_length=40, required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())


class DispatchForm(LedgerForm):
    source = _HolderChoice(label=_("From"), queryset=Holder.objects.none())
    destination = _HolderOrSite(label=_("To"))
    item = _ItemChoice(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    dispatched_on = _date(_("Date dispatched"))
    batch = forms.CharField(label=_("Batch"), max_length=40, required=False)
    waybill = forms.CharField(label=_("Waybill"), max_length=60, required=False)


class ReceiveForm(forms.Form):
    received_on = _date(_("Date received"))
    quantity_received = forms.IntegerField(label=_("Quantity received"), min_value=0)
    shortfall_reason = forms.CharField(
        label=_("If less arrived than was dispatched: why"),
        help_text=_("What did not arrive is recorded as a loss, with this reason."),
        max_length=160,
        required=False,
    )


class DistributionForm(LedgerForm):
    holder = _HolderChoice(label=_("Distributed from"), queryset=Holder.objects.none())
    item = _ItemChoice(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    occurred_on = _date(_("Date"))
    men = forms.IntegerField(label=_("Men"), min_value=0, required=False)
    women = forms.IntegerField(label=_("Women"), min_value=0, required=False)
    boys = forms.IntegerField(label=_("Boys"), min_value=0, required=False)
    girls = forms.IntegerField(label=_("Girls"), min_value=0, required=False)
    batch = forms.CharField(label=_("Batch"), max_length=40, required=False)


class AdjustForm(LedgerForm):
    holder = _HolderChoice(label=_("Holder"), queryset=Holder.objects.none())
    item = _ItemChoice(label=_("Item"), queryset=Item.objects.none())
    kind = forms.ChoiceField(
        label=_("Movement"),
        choices=[
            (Movement.Kind.LOSS, _("loss (quantity lost)")),
            (Movement.Kind.ADJUSTMENT, _("adjustment (+ found, − missing)")),
        ],
    )
    quantity = forms.IntegerField(label=_("Quantity"))
    occurred_on = _date(_("Date"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    batch = forms.CharField(label=_("Batch"), max_length=40, required=False)
