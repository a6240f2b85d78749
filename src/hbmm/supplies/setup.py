"""Wiring of the supplies app, called from SuppliesConfig.ready() (imported only there, once
the app registry is ready): intake mappers, the stock-out digest's periodic step."""


def register_all() -> None:
    pass
