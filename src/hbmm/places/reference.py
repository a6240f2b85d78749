"""Reference data of the places app, loaded by `hbmm load_reference`."""

from hbmm.places.services import reference_load


def load(stdout) -> None:
    for name, result in reference_load().items():
        stdout.write(
            f"places: {name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged\n"
        )
