"""Supplies: the item catalogue, the holders of stock (warehouses and sites) and the stock
ledger.

The ledger (`Movement`) is append-only: a movement is never changed nor deleted; a mistake is
corrected by an adjustment. Stock on hand of a holder and an item is the sum of its movements.
`Balance` is one row per holder and item: the row a write locks (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) before it checks that the stock
suffices, so that two dispatches of the last units cannot both pass; it also carries the sum,
kept equal to the ledger's in the same transaction.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hbmm.places.models import LabelledModel


class Category(models.TextChoices):
    PPE = "ppe", _("personal protective equipment")
    HYGIENE = "hygiene", _("hygiene")
    WASH = "wash", _("water, sanitation and hygiene (WASH)")
    SCREENING = "screening", _("screening")
    ISOLATION = "isolation", _("isolation")
    COORDINATION = "coordination", _("coordination")


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    PAIR = "pair", _("pair")
    BOX = "box", _("box")
    KIT = "kit", _("kit")
    BOTTLE = "bottle", _("bottle")
    KG = "kg", _("kilogram")
    LITRE = "litre", _("litre")


class Item(LabelledModel):
    """A catalogue item. `shelf_life_days` where it applies: a receipt of such an item names
    its batch and expiry date."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["category", "code"]

    @property
    def perishable(self) -> bool:
        return self.shelf_life_days is not None


class Holder(LabelledModel):
    """Who holds stock: a warehouse (its own code and area), or a site of the site registry
    (point of entry, cordon, MRRC, IDP site, office), whose code and area are the site's."""

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", _("warehouse")
        SITE = "site", _("site")

    scope_site_lookup = "site"
    scope_area_lookup = "area"
    scope_known_at = False  # reference data (who holds stock): not cut by a report's time

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    site = models.OneToOneField(
        "places.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplies_holder",
    )
    area = models.ForeignKey(
        "places.AdminArea", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("stock holder")
        verbose_name_plural = _("stock holders")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                name="supplies_holder_site_iff_kind_site",
                condition=(models.Q(kind="site", site__isnull=False))
                | (models.Q(kind="warehouse", site__isnull=True)),
            )
        ]


class Transfer(models.Model):
    """Stock sent from one holder to another: dispatched (confirmed by the sender: the stock
    leaves the sender's ledger), in transit, then received (confirmed by the receiver: what
    arrived enters the receiver's ledger). A shortfall is what was dispatched and not received."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("in transit")
        RECEIVED = "received", _("received")

    scope_site_lookup = "destination__site"
    scope_area_lookup = "destination__area"

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    source = models.ForeignKey(
        Holder, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        Holder, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    batch = models.CharField(_("batch"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity dispatched"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_TRANSIT
    )
    dispatched_on = models.DateField(_("dispatched on"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    waybill = models.CharField(_("waybill"), max_length=60, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity_received = models.PositiveIntegerField(_("quantity received"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-dispatched_on", "-pk"]
        indexes = [models.Index(fields=["destination", "dispatched_on"])]
        constraints = [
            models.CheckConstraint(
                name="supplies_transfer_not_to_itself",
                condition=~models.Q(source=models.F("destination")),
            ),
            models.CheckConstraint(
                name="supplies_transfer_received_quantity",
                condition=models.Q(quantity_received__lte=models.F("quantity"))
                | models.Q(quantity_received__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"T{self.pk} {self.item.code} {self.quantity} {self.source.code}→{self.destination.code}"

    @property
    def shortfall(self) -> int | None:
        if self.quantity_received is None:
            return None
        return self.quantity - self.quantity_received


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The stock ledger is append-only.")

    def delete(self):
        raise PermissionError("The stock ledger is append-only.")


class Movement(models.Model):
    """One line of the stock ledger: a signed quantity of an item entering (+) or leaving (-)
    a holder's stock."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("receipt from procurement")
        DISPATCH = "dispatch", _("dispatch")
        TRANSFER_IN = "transfer_in", _("receipt of a transfer")
        DISTRIBUTION = "distribution", _("distribution")
        LOSS = "loss", _("loss")
        ADJUSTMENT = "adjustment", _("adjustment")

    # Kinds whose quantity leaves the holder (negative), enters it (positive), or either.
    OUT = ("dispatch", "distribution", "loss")
    IN = ("receipt", "transfer_in")

    scope_site_lookup = "holder__site"
    scope_area_lookup = "holder__area"

    holder = models.ForeignKey(Holder, verbose_name=_("holder"), on_delete=models.PROTECT)
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    kind = models.CharField(_("movement"), max_length=12, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))  # signed: + in, - out
    occurred_on = models.DateField(_("date"))
    batch = models.CharField(_("batch"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    # Receipts from procurement.
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=60, blank=True)
    unit_cost = models.DecimalField(
        _("unit cost (USD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Distributions: people who received, by sex and age, where relevant.
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    boys = models.PositiveIntegerField(_("boys"), null=True, blank=True)
    girls = models.PositiveIntegerField(_("girls"), null=True, blank=True)
    # Losses and adjustments.
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    submission = models.ForeignKey(
        "intake.Submission",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-occurred_on", "-pk"]
        permissions = [
            ("record_receipt", "Can record receipts from procurement"),
            ("dispatch_stock", "Can dispatch stock"),
            ("receive_transfer", "Can confirm the receipt of a transfer"),
            ("distribute_stock", "Can record distributions"),
            ("adjust_stock", "Can record losses and adjustments"),
            ("receive_digest", "Receives the stock-out digest"),
        ]
        indexes = [
            # Stock on hand: one index-only scan sums every holder's and item's stock.
            models.Index(fields=["holder", "item", "quantity"], name="supplies_movement_stock"),
            models.Index(fields=["occurred_on", "kind"], name="supplies_movement_day"),
        ]
        constraints = [
            models.CheckConstraint(
                name="supplies_movement_sign",
                condition=(models.Q(kind__in=("dispatch", "distribution", "loss"), quantity__lt=0))
                | (models.Q(kind__in=("receipt", "transfer_in"), quantity__gt=0))
                | (models.Q(kind="adjustment") & ~models.Q(quantity=0)),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_on} {self.holder.code} {self.item.code} {self.kind} {self.quantity:+d}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The stock ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The stock ledger is append-only.")

    @property
    def people(self) -> int | None:
        counts = [self.men, self.women, self.boys, self.girls]
        return None if all(c is None for c in counts) else sum(c or 0 for c in counts)

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.kind in self.OUT and self.quantity >= 0:
            errors["quantity"] = _("This movement takes stock out: its quantity is negative.")
        if self.kind in self.IN and self.quantity <= 0:
            errors["quantity"] = _("This movement brings stock in: its quantity is positive.")
        if self.kind == self.Kind.ADJUSTMENT and self.quantity == 0:
            errors["quantity"] = _("An adjustment changes the stock: it cannot be 0.")
        if self.kind in (self.Kind.LOSS, self.Kind.ADJUSTMENT) and not self.reason.strip():
            errors["reason"] = _("Say why.")
        if errors:
            raise ValidationError(errors)


class Balance(models.Model):
    """The stock of one item at one holder: the row a write locks, and the ledger's sum kept
    beside it in the same transaction (`quantity` = sum of the movements)."""

    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["holder", "item"], name="supplies_balance_unique"),
            models.CheckConstraint(
                name="supplies_balance_not_negative", condition=models.Q(quantity__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_id}/{self.item_id}: {self.quantity}"


class StockDigest(models.Model):
    """One stock-out digest per day: the row is the claim (unique day), so that of several
    workers ticking at once one queues the e-mails."""

    day = models.DateField(_("day"), unique=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("stock-out digest")
        verbose_name_plural = _("stock-out digests")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.messages}"
