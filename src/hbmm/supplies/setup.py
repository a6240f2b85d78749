"""Wiring of the supplies app, called from SuppliesConfig.ready() (imported only there, once
the app registry is ready): intake mappers, the stock-out digest's job kind and periodic step."""

from django.utils.translation import gettext_lazy as _

from hbmm.jobs.registry import JobKind, register_kind, register_periodic
from hbmm.supplies import intake_mappers, tasks


def register_all() -> None:
    intake_mappers.register_all()
    register_kind(
        JobKind(
            "stock_digest",
            _("stock digest"),
            describe=tasks.digest_describe,
            title=tasks.digest_title,
        )
    )
    register_periodic(tasks.digest_schedule)
