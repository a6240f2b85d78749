import csv
import io

from hbmm.intake.channels.files import file_import


def import_rows(kind: str, rows: list[dict], user=None, name="rows.csv"):
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return file_import(
        kind=kind, source=io.BytesIO(out.getvalue().encode()), original_name=name, uploaded_by=user
    )
