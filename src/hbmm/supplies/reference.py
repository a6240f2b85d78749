"""Reference data of the supplies app (the item catalogue and the warehouses), loaded by
`hbmm load_reference`."""

from hbmm.supplies.services import catalogue_load


def load(stdout) -> None:
    for name, result in catalogue_load().items():
        stdout.write(
            f"supplies: {name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged\n"
        )
