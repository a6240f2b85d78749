"""A flow_count mapper for the benchmarks: validates like a domain mapper (shared cleaners,
site lookup with scope) and writes its records with one executemany per batch into a plain
table `bench_flowcount`, standing in for mobility's FlowCount (not needed by intake)."""

from django.db import connection

from hbmm.intake.cleaning import SiteLookup, clean_choice, clean_date, clean_int
from hbmm.intake.mappers import FieldError, Mapper, MappingError, register
from hbmm.intake.models import Submission

COLUMNS = [
    "submission_id",
    "site_id",
    "observation_date",
    "direction",
    "men",
    "women",
    "boys",
    "girls",
]
DDL = (
    "CREATE TABLE IF NOT EXISTS bench_flowcount (id {pk}, submission_id bigint, site_id bigint, "
    "observation_date date, direction varchar(10), men integer, women integer, boys integer, "
    "girls integer)"
)


def create_table():
    pk = "serial primary key" if connection.vendor == "postgresql" else "integer primary key"
    with connection.cursor() as cursor:
        cursor.execute(DDL.format(pk=pk))


class BenchFlowCountMapper(Mapper):
    form_id = "flow_count"
    model = Submission
    permission = "intake.submit_data"
    aliases = {"observation_date": ("date",), "men": ("hommes",), "women": ("femmes",)}

    def __init__(self):
        self._sites = None

    def clean(self, data, *, submitter):
        if self._sites is None:
            self._sites = SiteLookup()
        errors: list[FieldError] = []
        site = self._sites.clean(data, "site", errors, submitter=submitter)
        day = clean_date(data, "observation_date", errors, required=True, not_future=True)
        direction = clean_choice(
            data, "direction", errors, ["incoming", "outgoing", "internal"], required=True
        )
        counts = [
            clean_int(data, n, errors, required=True, minimum=0)
            for n in ("men", "women", "boys", "girls")
        ]
        if errors:
            raise MappingError(errors)
        return {"site": site, "observation_date": day, "direction": direction, "counts": counts}

    def save(self, items):
        rows = [
            (
                i.submission.pk,
                i.cleaned["site"].pk,
                i.cleaned["observation_date"],
                i.cleaned["direction"],
                *i.cleaned["counts"],
            )
            for i in items
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO bench_flowcount ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                rows,
            )


def install():
    register(BenchFlowCountMapper())
