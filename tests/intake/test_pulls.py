"""ODK Central (through pyodk) and KoboToolbox pulls against local fake servers: paging past a
100-row cap, a sync killed after page 1 of 3 resuming with no gap and no duplicate, edits
superseding, attachments checksummed, `hbmm sync` lines and exit status."""

import hashlib
import io
import json
import os
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import TextField
from django.db.models.functions import Cast

from hbmm.crypto import decrypt
from hbmm.intake.channels.pulls import PullError, pull_source_run
from hbmm.intake.models import PullSource, Submission, SubmissionAttachment
from tests.intake.fakes import FakeCentral, FakeKobo


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fields(n: int) -> dict:
    return {
        "observation_date": "2020-04-28",
        "site": "BCP-GOGUI" if n % 2 else "FMP-BAMAKO",
        "direction": "incoming",
        "travellers": {"men": n, "women": 1, "boys": 0, "girls": 0},
    }


def kobo_fields(n: int) -> dict:
    return {
        "observation_date": "2020-04-28",
        "site": "BCP-GOGUI",
        "direction": "outgoing",
        "travellers/men": str(n),
        "travellers/women": "1",
        "travellers/boys": "0",
        "travellers/girls": "0",
    }


def pull_owner():
    """The account answerable for the test sources: an information management officer of
    national scope (the pulled rows are checked against it)."""
    from django.contrib.auth.models import Group

    from hbmm.accounts.models import User
    from hbmm.accounts.services import user_scope_set
    from hbmm.places.models import AdminArea

    owner, created = User.objects.get_or_create(username="pull-owner")
    if created:
        owner.groups.add(Group.objects.get(name="im_officer"))
        user_scope_set(user=owner, areas=[AdminArea.objects.get(pcode="MLI")], sites=[])
    return owner


def central_source(server, **extra) -> PullSource:
    source = PullSource(
        name="Central Kayes",
        channel="odk_central",
        server_url=server.url,
        project_id="1",
        remote_form_id="flow_count",
        form_id="flow_count",
        username="sync@iom.int",
        page_size=250,  # more than the server gives: its cap wins
        **{"owner": extra.pop("owner", None) or pull_owner(), **extra},
    )
    source.set_secret("central password")
    source.save()
    return source


def kobo_source(server) -> PullSource:
    source = PullSource(
        name="Kobo Mopti",
        channel="kobo",
        server_url=server.url,
        remote_form_id=server.asset,
        form_id="flow_count",
        page_size=1000,
        owner=pull_owner(),
    )
    source.set_secret(FakeKobo.TOKEN)
    source.save()
    return source


def query_of(request_line: str) -> dict:
    """The query parameters of a request the fake server logged ("GET /path?query")."""
    return {k: v[0] for k, v in parse_qs(urlsplit(request_line.split(" ", 1)[1]).query).items()}


def stamp(n: int) -> str:
    # Rows 100 and 101 share a timestamp across the page boundary.
    n = min(n, 100) if n in (100, 101) else n
    return f"2020-04-28T{n // 60:02d}:{n % 60:02d}:00.000Z"


@pytest.mark.django_db
def test_secret_is_stored_encrypted(reference):
    with FakeCentral() as server:
        central_source(server)
    stored = PullSource.objects.values_list(Cast("secret_encrypted", TextField()), flat=True)
    assert "central password" not in stored.get()
    assert decrypt(stored.get()) == "central password"
    assert PullSource.objects.get().get_secret() == "central password"


@pytest.mark.django_db
def test_central_sync_killed_after_page_one_resumes_without_gap_or_duplicate(probe):
    with FakeCentral() as server:
        for n in range(1, 251):
            files = {f"{n}.jpg": f"photo {n}".encode()} if n % 50 == 0 else None
            server.add(f"uuid:c{n}", stamp(n), fields(n), files=files)
        source = central_source(server)
        server.fail_on = {2}  # the connection dies when page 2 of 3 is asked for
        with pytest.raises(PullError, match="HTTP 500"):
            pull_source_run(source=source)
        source.refresh_from_db()
        # Central's order (newest first): page 1 held rows 250 to 151. The watermark moves
        # when the pass is complete; until then the progress keeps the next page's link.
        assert Submission.objects.count() == 100
        assert source.watermark == ""
        saved = source.pull_progress["watermark"]
        assert saved["seen"] == stamp(250) and "%24skiptoken=" in saved["cursor"]

        counts = pull_source_run(source=source)
        source.refresh_from_db()
        assert Submission.objects.count() == 250
        assert Submission.objects.values("instance_id").distinct().count() == 250
        assert (counts.pages, counts.new, counts.known) == (2, 150, 0)
        assert source.watermark == stamp(250) and source.pull_progress == {}
        assert len(probe.saved) == 250
        assert sorted(s["men"] for s in probe.saved) == list(range(1, 251))
        # No $orderby (its cost grows with the rows waiting): Central's own paging, its
        # nextLink followed, and the resumed run starts from the saved one.
        table = [query_of(r) for r in server.requests if ".svc/Submissions" in r]
        assert not any("$orderby" in q or "$skip" in q for q in table)
        assert [("$skiptoken" in q) for q in table[:4]] == [False, True, True, True]
        assert table[2]["$skiptoken"] == query_of("GET " + saved["cursor"])["$skiptoken"]

        attachments = SubmissionAttachment.objects.order_by("name")
        assert [a.name for a in attachments] == [
            "100.jpg",
            "150.jpg",
            "200.jpg",
            "250.jpg",
            "50.jpg",
        ]
        assert attachments[0].checksum == hashlib.sha256(b"photo 100").hexdigest()
        first = Submission.objects.get(instance_id="uuid:c1")
        assert (first.channel, first.form_version, first.submitter_name) == (
            "odk_central",
            "2020050101",
            "enumerator.kayes",
        )
        assert first.payload_format == "json" and '"__system"' in first.payload

        # Nothing new: a run reads the window behind the watermark (15 minutes: rows 235 to
        # 250) again and stores nothing.
        again = pull_source_run(source=source)
        assert (again.new, again.known) == (0, 16)
        assert query_of(server.requests[-2])["$filter"] == (
            "__system/submissionDate ge 2020-04-28T03:55:00.000Z"
        )
        assert Submission.objects.count() == 250


@pytest.mark.django_db
def test_central_edit_supersedes_through_updated_at(probe):
    with FakeCentral() as server:
        for n in range(1, 4):
            server.add(f"uuid:c{n}", stamp(n), fields(n))
        source = central_source(server)
        pull_source_run(source=source)
        source.refresh_from_db()
        assert source.edit_watermark == ""  # nothing edited yet
        server.edit("uuid:c2", "uuid:c2-v2", "2020-04-29T09:00:00.000Z", {"travellers/men": 20})
        counts = pull_source_run(source=source)
        assert (counts.new, counts.accepted, counts.superseded) == (1, 1, 1)
        edits = [query_of(r) for r in server.requests if "updatedAt" in r]
        # With no edit watermark yet, the edits pass reads every row ever edited.
        assert edits[-1]["$filter"] == "__system/updatedAt ge 1970-01-01T00:00:00.000Z"
        edited = Submission.objects.get(instance_id="uuid:c2-v2")
        original = Submission.objects.get(instance_id="uuid:c2")
        assert (edited.root_id, edited.deprecated_id, edited.is_current) == (
            "uuid:c2",
            "uuid:c2",
            True,
        )
        assert (original.status, original.is_current) == ("superseded", False)
        assert probe.saved[-1]["men"] == 20 and probe.saved[-1]["replaces"] == ["uuid:c2"]
        source.refresh_from_db()
        assert source.edit_watermark == "2020-04-29T09:00:00.000Z"
        again = pull_source_run(source=source)
        # The three rows (within the window of the submissions' watermark) and the edit.
        assert (again.new, again.known) == (0, 4)
        assert query_of(server.requests[-1])["$filter"] == (
            "__system/updatedAt ge 2020-04-29T08:45:00.000Z"
        )


@pytest.mark.django_db
def test_central_pages_past_more_rows_than_a_page_sharing_one_timestamp(probe):
    with FakeCentral() as server:
        for n in range(1, 251):  # a bulk upload: one submission date for all
            server.add(f"uuid:t{n}", "2020-04-28T10:00:00.000Z", fields(n))
        counts = pull_source_run(source=central_source(server))
        assert (counts.pages, counts.new, counts.known) == (3, 250, 0)
        table = [query_of(r) for r in server.requests if ".svc/Submissions" in r]
        assert [("$skiptoken" in q) for q in table[:3]] == [False, True, True]
        assert Submission.objects.values("instance_id").distinct().count() == 250


def kobo_time(n: int) -> str:
    return f"2020-04-28T{n // 60:02d}:{n % 60:02d}:00"


@pytest.mark.django_db
def test_kobo_sync_killed_after_page_one_resumes_and_finds_edits(probe):
    with FakeKobo() as server:
        for n in range(1, 251):
            files = {"photo.jpg": f"kobo {n}".encode()} if n == 7 else None
            server.add(f"k{n:03d}", kobo_time(n), kobo_fields(n), files=files)
        source = kobo_source(server)
        server.fail_on = {2}
        with pytest.raises(PullError):
            pull_source_run(source=source)
        assert Submission.objects.count() == 100
        source.refresh_from_db()
        assert source.watermark == ""  # the pass is not complete: its progress is saved
        assert source.pull_progress["watermark"] == {"cursor": "100", "seen": kobo_time(100)}

        counts = pull_source_run(source=source)
        assert Submission.objects.count() == 250 and counts.new == 150
        assert Submission.objects.values("instance_id").distinct().count() == 250
        source.refresh_from_db()
        assert source.watermark == kobo_time(250) and source.pull_progress == {}
        # Each page is a new query after the last _id received: no offset that grows.
        listed = [query_of(r) for r in server.requests if "/data/?" in r]
        assert not any("start" in q for q in listed)
        assert listed[0]["limit"] == "1000" and json.loads(listed[0]["sort"]) == {"_id": 1}
        assert json.loads(listed[2]["query"]) == {"_id": {"$gt": 100}}
        assert json.loads(listed[3]["query"]) == {"_id": {"$gt": 200}}
        photo = SubmissionAttachment.objects.get()
        assert (photo.name, photo.checksum) == ("photo.jpg", hashlib.sha256(b"kobo 7").hexdigest())

        server.edit("k005", "k005-v2", {"travellers/men": "50"})
        incremental = pull_source_run(source=source)
        assert (incremental.new, incremental.accepted, incremental.superseded) == (1, 1, 1)
        sweep = query_of(server.requests[-1])
        assert json.loads(sweep["query"]) == {"meta/deprecatedID": {"$exists": True}}
        assert json.loads(sweep["sort"]) == {"_id": 1}
        edited = Submission.objects.get(instance_id="uuid:k005-v2")
        assert (edited.root_id, edited.is_current) == ("uuid:k005", True)
        assert Submission.objects.get(instance_id="uuid:k005").status == "superseded"
        assert probe.saved[-1]["men"] == 50 and probe.saved[-1]["replaces"] == ["uuid:k005"]
        source.refresh_from_db()
        assert source.edit_watermark == ""  # the sweep was complete: the next one starts over

        full = pull_source_run(source=source, full=True)
        assert (full.new, full.known) == (0, 250)


@pytest.mark.django_db
def test_kobo_edit_sweep_killed_after_page_one_resumes_from_its_cursor(probe):
    with FakeKobo() as server:
        for n in range(1, 251):
            server.add(f"k{n:03d}", kobo_time(n), kobo_fields(n))
        source = kobo_source(server)
        first = pull_source_run(source=source)
        assert first.new == 250
        # The first run read every current version: no sweep of edited records was needed.
        assert not any("deprecatedID" in r for r in server.requests)
        for n in range(1, 151):
            server.edit(f"k{n:03d}", f"k{n:03d}-v2", {"travellers/men": str(1000 + n)})
        server.data_requests, server.fail_on = 0, {3}  # submissions, sweep page 1, page 2 dies
        with pytest.raises(PullError, match="HTTP 500"):
            pull_source_run(source=source)
        source.refresh_from_db()
        assert source.edit_watermark == "100"  # the _id of the last edited record stored
        assert Submission.objects.filter(instance_id__endswith="-v2").count() == 100

        resumed = pull_source_run(source=source)
        # The window's 16 rows again; the 50 edits superseded 50 versions.
        assert (resumed.new, resumed.known, resumed.superseded) == (50, 16, 50)
        sweep = json.loads(query_of(server.requests[-1])["query"])
        assert sweep == {"meta/deprecatedID": {"$exists": True}, "_id": {"$gt": 100}}
        assert Submission.objects.count() == 400
        assert Submission.objects.filter(status="superseded").count() == 150
        assert Submission.objects.filter(is_current=True).count() == 250
        assert sorted(s["men"] for s in probe.saved[250:]) == list(range(1001, 1151))
        source.refresh_from_db()
        assert source.edit_watermark == ""

        again = pull_source_run(source=source)
        assert (again.new, again.known) == (0, 166)  # the window's 16 rows, every edit


@pytest.mark.django_db
def test_sync_command_prints_a_line_per_source_and_fails_loudly(probe):
    with FakeCentral() as central, FakeKobo() as kobo:
        central.add("uuid:c1", stamp(1), fields(1))
        kobo.add("k1", "2020-04-28T00:01:00", kobo_fields(1))
        central_source(central)
        bad = kobo_source(kobo)
        bad.set_secret("wrong token")
        bad.save()
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError, match="1 of 2 sources failed"):
            call_command("sync", stdout=out, stderr=err)
        assert out.getvalue() == (
            "Central Kayes [flow_count]: 1 fetched in 1 pages, 1 new, 0 already stored, "
            "1 accepted, 0 quarantined, 0 superseded, 0 refused edits, 0 attachments\n"
        )
        assert "Kobo Mopti [flow_count]: FAILED: " in err.getvalue()
        assert "HTTP 401" in err.getvalue()
        statuses = dict(PullSource.objects.values_list("name", "last_status"))
        assert statuses == {"Central Kayes": "ok", "Kobo Mopti": "failed"}
        bad.set_secret(FakeKobo.TOKEN)
        bad.save()
        out = io.StringIO()
        call_command("sync", stdout=out)
        assert "Kobo Mopti [flow_count]: 1 fetched in 1 pages, 1 new" in out.getvalue()


@pytest.mark.django_db
def test_sync_killed_does_not_block_the_next_sync(probe):
    """`hbmm sync` killed (kill -9) leaves its job "running" and holding the source's lock; with
    no worker to recover it, the next `hbmm sync` ends that run as failed and pulls, resuming
    from the watermark (found by benchmarks/crash_resume.py; it said "already being pulled")."""
    import socket
    import subprocess

    from django.utils import timezone

    from hbmm.intake.tasks import pull_run_here
    from hbmm.jobs.models import Job

    dead = subprocess.Popen(["true"])
    dead.wait()
    with FakeCentral() as server:
        for n in range(1, 6):
            server.add(f"uuid:k{n}", stamp(n), fields(n))
        source = central_source(server)
        lost = Job.objects.create(
            kind="pull",
            task_path="hbmm.intake.tasks.pull_source",
            label="killed",
            target=f"intake.pullsource:{source.pk}",
            lock_key=f"pull:{source.pk}",
            status=Job.Status.RUNNING,
            attempts=1,
            worker=f"{socket.gethostname()}:{dead.pid}",
            heartbeat_at=timezone.now(),
        )
        job, ran = pull_run_here(source=source)
        assert ran and job.pk != lost.pk and job.status == Job.Status.SUCCEEDED
        lost.refresh_from_db()
        assert lost.status == Job.Status.FAILED and lost.error
        assert Submission.objects.count() == 5

        # A run alive (this process) holds the lock: the next sync is skipped, as before.
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.RUNNING, worker=f"{socket.gethostname()}:{os.getpid()}"
        )
        again, ran = pull_run_here(source=source)
        assert not ran and again.pk == job.pk
