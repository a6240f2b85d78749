"""The read-replica router (hbmm/routers.py), with a second database alias: the dashboards'
and reports' reads go to it, writes never do, and nothing goes to it when none is set. The
alias points at the test database itself (a replica is a copy): which connection ran each
query is what is checked."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from hbmm.intake.models import PullSource
from hbmm.routers import REPLICA, ReplicaRouter, replica_reads, view_reads_replica


@pytest.fixture
def replica():
    connections.settings[REPLICA] = dict(connections["default"].settings_dict)
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica_db(transactional_db):
    """The alias added once the test database is set up (committed data: a transactional
    test, as a replica sees only what the primary committed)."""
    connections.settings[REPLICA] = dict(connections["default"].settings_dict)
    # Connected here: Django's test case refuses to open a connection to an alias it was
    # not told of (`databases`), and this one did not exist when it was told.
    connections[REPLICA].connect()
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def is_read(sql: str) -> bool:
    # A union's parts are parenthesised on PostgreSQL: "(SELECT ...) UNION ALL (SELECT ...)".
    return sql.lstrip("( \n").upper().startswith("SELECT")


def selects(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if is_read(q["sql"])]


def test_without_a_replica_everything_is_read_from_the_primary():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(PullSource) == "default"
    assert router.db_for_write(PullSource) == "default"


def test_the_router_sends_reads_in_a_replica_block_and_never_writes(replica):
    router = ReplicaRouter()
    assert router.db_for_read(PullSource) == "default"  # outside a dashboard or report
    with replica_reads():
        assert router.db_for_read(PullSource) == REPLICA
        assert router.db_for_write(PullSource) == "default"
    assert router.allow_migrate(REPLICA, "intake") is False
    assert router.allow_migrate("default", "intake") is True
    assert view_reads_replica("reports:overview") and view_reads_replica("home")
    assert not view_reads_replica("intake:import_new")


def test_the_overview_reads_from_the_replica_and_a_write_goes_to_the_primary(
    replica_db, make_user, client
):
    replica = replica_db
    client.force_login(make_user("admin", areas=["MLI"]))
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/").status_code == 200
    assert len(selects(on_replica)) > 10  # the overview's figures
    assert all(is_read(q["sql"]) for q in on_replica.captured_queries)

    # In a replica block, a write goes to the primary, and a read inside a transaction on
    # the primary stays there (it must see that transaction's writes).
    from django.db import transaction

    with replica_reads(), CaptureQueriesContext(replica) as on_replica:
        with transaction.atomic():
            PullSource.objects.create(
                name="s",
                channel="kobo",
                server_url="https://kf.example.org",
                remote_form_id="a",
                form_id="flow_count",
            )
            assert PullSource.objects.filter(name="s").exists()
        assert PullSource.objects.filter(name="s").exists()  # committed: read on the replica
    assert len(on_replica.captured_queries) == 1
    assert not any("INSERT" in q["sql"].upper() for q in on_replica.captured_queries)

    # A page that is not a dashboard reads from the primary.
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/jobs/").status_code == 200
    assert on_replica.captured_queries == []
