"""Read replicas: the dashboards' and reports' reads go to DATABASE_REPLICA_URL when it is set
(alias "replica"); every write, and every read anywhere else, goes to the primary ("default").

Which requests: GET and HEAD of the views named in settings.HBMM_REPLICA_VIEWS (the overview,
the reports, the section dashboards, the API's reads), through `ReplicaReadsMiddleware`; code
elsewhere can wrap a read in `replica_reads()`. Inside them, reads go to the replica, except
reads inside a transaction on the primary (they must see its uncommitted writes: a job queued
by a report, a get_or_create); writes always go to the primary, and no migration runs on the
replica (it is a copy: PostgreSQL streaming replication, docs/deploy.md and docs/scaling.md).

A replica lags the primary by what the replication has not yet applied (well under a second
on a LAN): a dashboard may show a submission a moment after it was received, never a
different one.
"""

import contextlib
import contextvars
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading = contextvars.ContextVar("hbmm_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads():
    """Reads in this block go to the replica (when one is configured)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reading.get() or not replica_configured():
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read there relates to one here.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def view_reads_replica(view_name: str) -> bool:
    """Whether the view named `view_name` ("reports:overview") reads from the replica."""
    return any(fnmatchcase(view_name, pattern) for pattern in settings.HBMM_REPLICA_VIEWS)


class ReplicaReadsMiddleware:
    """GET and HEAD of the dashboards and reports (HBMM_REPLICA_VIEWS) read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._hbmm_replica_token = None
        try:
            return self.get_response(request)
        finally:
            token = request._hbmm_replica_token
            if token is not None:
                _reading.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not replica_configured():
            return None
        match = request.resolver_match
        if match is not None and view_reads_replica(match.view_name):
            request._hbmm_replica_token = _reading.set(True)
        return None
