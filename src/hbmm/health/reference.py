"""Reference data of the health app, loaded by `hbmm load_reference` (so by every `make run`).

The real COVID-19 series for Mali (data/covid19-mali-2020.csv, see data/README.md) is loaded
here rather than in demo.py: it is real, published data that the situation overview needs with
or without demonstration data. It goes through the intake pipeline like any import; a file
already imported (same checksum) is not imported again.
"""

import hashlib
from pathlib import Path

SERIES_FILE = Path(__file__).resolve().parent / "data" / "covid19-mali-2020.csv"
SERIES_KIND = "epi_countries_aggregated"


def load(stdout) -> None:
    from hbmm.intake.channels.files import file_import
    from hbmm.intake.models import ImportFile

    checksum = hashlib.sha256(SERIES_FILE.read_bytes()).hexdigest()
    done = ImportFile.objects.filter(
        kind=SERIES_KIND, checksum=checksum, status=ImportFile.Status.DONE
    ).exists()
    if done:
        stdout.write("health: COVID-19 series for Mali already imported\n")
        return
    with open(SERIES_FILE, "rb") as handle:
        record = file_import(kind=SERIES_KIND, source=handle, original_name=SERIES_FILE.name)
    stdout.write(
        f"health: COVID-19 series for Mali: {record.rows_read} rows read, "
        f"{record.rows_accepted} accepted, {record.rows_quarantined} quarantined"
        f"{', ' + record.error if record.error else ''}\n"
    )
