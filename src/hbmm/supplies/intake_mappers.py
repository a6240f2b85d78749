"""Intake mappers of supplies (registered from SuppliesConfig.ready()): what a point of entry's
agent sends from ODK Collect, offline, on the two supplies XLSForms.

| form id               | what                                                            |
|-----------------------|-----------------------------------------------------------------|
| supplies_receipt      | the receipt of a transfer at a site: its number, date, quantity |
| supplies_distribution | a distribution at a site: item, quantity, people by sex and age |

`clean` checks what it can before anything is written (the site in the sender's scope, the
transfer sent to that site and still in transit, the quantity); `save` calls the ledger's
services, which check again under the lock (a refusal quarantines the submission with its
reason). The ledger is append-only: an edited submission (deprecatedID) of a receipt or a
distribution already recorded is refused; a mistake is corrected by an adjustment.
"""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.intake.aliases import column_aliases
from hbmm.intake.cleaning import _raw, clean_date, clean_int, clean_site, clean_text
from hbmm.intake.mappers import FieldError, Mapper, MappingError, items_by_context, register
from hbmm.places.lookups import Lookups
from hbmm.supplies import services
from hbmm.supplies.models import Item, Movement, Transfer
from hbmm.supplies.selectors import STOCK_SITE_KINDS

# Column aliases are data (listed in docs/imports-supplies.md by tools/import_docs.py).
ALIASES = Path(__file__).resolve().parent / "data" / "intake_aliases.json"


def _items_save(save_batch, row, items) -> None:
    """Each item as the form's typed `row`, one batch save per context (submitter, sender,
    channel, demo flag)."""
    for ctx, group in items_by_context(items).items():
        rows = [
            row(submission_id=item.submission_id, existing=item.edited, **item.cleaned)
            for item in group
        ]
        save_batch(rows, ctx=ctx)


class ReceiptMapper(Mapper):
    form_id = "supplies_receipt"
    example = {
        "site": "BCP-GOGUI",
        "transfer": "T1",
        "received_on": "2020-04-28",
        "quantity_received": "100",
        "shortfall_reason": "",
    }
    title = gettext_lazy("Receipt of supplies")
    model = Movement
    permission = "supplies.receive_transfer"
    aliases = column_aliases(ALIASES, "supplies_receipt")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "received_on", errors, required=True, not_future=True)
        site = clean_site(
            data, "site", errors, lookups, submitter=submitter, kinds=STOCK_SITE_KINDS, on=day
        )
        quantity = clean_int(data, "quantity_received", errors, required=True, minimum=0)
        clean_text(data, "note", errors, max_length=500)
        reason = clean_text(data, "shortfall_reason", errors, max_length=160)
        raw = _raw(data, "transfer")
        transfer = None
        if raw is None:
            errors.append(FieldError("transfer", None, _("This field is required.")))
        else:
            number = str(raw).strip().upper().removeprefix("T")
            transfer = (
                Transfer.objects.select_related("destination", "item")
                .filter(pk=int(number))
                .first()
                if number.isdigit()
                else None
            )
            if transfer is None or (site is not None and transfer.destination.site_id != site.pk):
                errors.append(
                    FieldError(
                        "transfer", raw, _("No transfer of this number was sent to this site.")
                    )
                )
            elif transfer.status != Transfer.Status.IN_TRANSIT:
                errors.append(FieldError("transfer", raw, _("This transfer was already received.")))
            elif quantity is not None and quantity > transfer.quantity:
                errors.append(
                    FieldError(
                        "quantity_received",
                        quantity,
                        _("More than the %(sent)d dispatched.") % {"sent": transfer.quantity},
                    )
                )
            elif quantity is not None and quantity < transfer.quantity and not reason.strip():
                errors.append(
                    FieldError(
                        "shortfall_reason",
                        None,
                        _(
                            "%(missing)d of the %(sent)d dispatched did not arrive: say why "
                            "(it is recorded as a loss)."
                        )
                        % {"missing": transfer.quantity - quantity, "sent": transfer.quantity},
                    )
                )
        if errors:
            raise MappingError(errors)
        return {
            "site": site,
            "transfer": transfer,
            "received_on": day,
            "quantity_received": quantity,
            "shortfall_reason": reason,
        }

    def save(self, items) -> None:
        _items_save(services.transfer_receipts_save_batch, services.ReceiptRow, items)


class DistributionMapper(Mapper):
    form_id = "supplies_distribution"
    example = {
        "site": "BCP-GOGUI",
        "item": "PPE-MASK-SURG",
        "distributed_on": "2020-04-28",
        "quantity": "50",
        "men": "",
        "women": "",
        "boys": "",
        "girls": "",
        "batch": "",
    }
    title = gettext_lazy("Distribution of supplies")
    model = Movement
    permission = "supplies.distribute_stock"
    aliases = column_aliases(ALIASES, "supplies_distribution")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        day = clean_date(data, "distributed_on", errors, required=True, not_future=True)
        site = clean_site(
            data, "site", errors, lookups, submitter=submitter, kinds=STOCK_SITE_KINDS, on=day
        )
        quantity = clean_int(data, "quantity", errors, required=True, minimum=1)
        counts = {
            name: clean_int(data, name, errors, minimum=0, maximum=100000)
            for name in ("men", "women", "boys", "girls")
        }
        batch = clean_text(data, "batch", errors, max_length=40)
        code = _raw(data, "item")
        item = None
        if code is None:
            errors.append(FieldError("item", None, _("This field is required.")))
        else:
            item = Item.objects.filter(code__iexact=str(code).strip()).first()
            if item is None:
                errors.append(FieldError("item", code, _("Unknown item code.")))
        if errors:
            raise MappingError(errors)
        return {
            "site": site,
            "item": item,
            "distributed_on": day,
            "quantity": quantity,
            "batch": batch,
            **counts,
        }

    def save(self, items) -> None:
        _items_save(services.distributions_save_batch, services.DistributionRow, items)


def register_all() -> None:
    register(ReceiptMapper())
    register(DistributionMapper())
