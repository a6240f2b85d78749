"""OpenRosa submissions answered once stored, mapped by the worker's job (issue 19): with a
task backend that needs a worker, a POST answers 201 and leaves its submission received; the
mapping job (`tasks.submissions_map`) maps it once, into mobility's FlowCount; refusals are
still given at once; the tick queues the job when submissions wait; two runs at once never map
one submission twice; a worker killed mid-batch leaves its batch received, mapped once by the
next run; a submission whose mapping raises is quarantined alone."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count

from hbmm.intake import tasks
from hbmm.intake.models import Submission
from hbmm.intake.parsing import parse_xml
from hbmm.intake.process import received_map_batch
from hbmm.intake.receive import submission_receive
from hbmm.jobs.models import Job
from hbmm.jobs.registry import periodic
from hbmm.mobility.models import FlowCount
from tests.intake.conftest import flow_xml
from tests.jobs.conftest import WorkerProcess, wait_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def later(settings):
    """Jobs go to the database backend's table, as outside the tests: the request leaves the
    mapping to a worker."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [settings.HBMM_TASKS_QUEUE],
        }
    }


@pytest.fixture
def workers(settings, tmp_path):
    """workers() -> a new `hbmm worker` process on the test database (stopped at the end)."""
    started: list[WorkerProcess] = []

    def make() -> WorkerProcess:
        started.append(WorkerProcess(settings, tmp_path).start())
        return started[-1]

    yield make
    for process in started:
        process.stop()


def post(client, xml: bytes, **extra):
    data = {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml"), **extra}
    return client.post("/submission", data)


def map_jobs():
    return Job.objects.filter(kind="submissions_map")


def run_job(job: Job) -> Job:
    tasks.submissions_map.call(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_post_is_answered_once_stored_and_the_job_maps_it_once(later, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    first, second = post(client, flow_xml("uuid:a", men=7)), post(client, flow_xml("uuid:b"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert b"Submission received. Thank you." in first.content
    assert set(Submission.objects.values_list("status", flat=True)) == {"received"}
    assert not FlowCount.objects.exists()
    (job,) = map_jobs()  # one job for both: the second post found it queued
    assert (job.status, job.lock_key) == ("queued", tasks.MAP_LOCK)

    job = run_job(job)
    assert job.status == "succeeded"
    assert job.outcome == {
        "mapped": 2,
        "accepted": 2,
        "quarantined": 0,
        "superseded": 0,
        "refused": 0,
    }
    assert set(Submission.objects.values_list("status", flat=True)) == {"accepted"}
    counts = FlowCount.objects.values("submission__instance_id").annotate(n=Count("id"))
    assert {c["submission__instance_id"]: c["n"] for c in counts} == {"uuid:a": 1, "uuid:b": 1}
    assert FlowCount.objects.get(submission__instance_id="uuid:a").men == 7

    # Posted again (a phone retrying): nothing new, no job; a run finds nothing to map.
    assert post(client, flow_xml("uuid:a", men=7)).status_code == 201
    assert map_jobs().filter(status="queued").count() == 0
    assert received_map_batch(500) is None
    assert FlowCount.objects.count() == 2


@pytest.mark.django_db
def test_refusals_are_given_at_once_and_store_nothing(later, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    outside = post(client, flow_xml("uuid:far", site="FMP-BAMAKO"))
    assert outside.status_code == 403
    assert b"outside your geographic scope" in outside.content
    unknown = post(client, flow_xml("uuid:nowhere", site="NOWHERE"))
    assert unknown.status_code == 400
    broken = post(client, b"<data id='flow_count'><site>BCP-GOGUI</site>")
    assert broken.status_code == 400
    assert not Submission.objects.exists() and not map_jobs().exists()


@pytest.mark.django_db
def test_a_split_submission_waits_for_its_last_part(later, make_user, collect):
    client = collect(make_user("enumerator", areas=["ML01"]))
    xml = flow_xml("uuid:parts")
    assert post(client, xml, **{"*isIncomplete*": "yes"}).status_code == 201
    assert not map_jobs().exists()
    assert received_map_batch(500) is None  # the first part alone is not mapped
    assert Submission.objects.get().status == "received"

    assert post(client, xml).status_code == 201  # the last part
    (job,) = map_jobs()
    assert run_job(job).outcome["accepted"] == 1
    submission = Submission.objects.get()
    assert (submission.status, submission.awaiting_parts) == ("accepted", None)
    assert FlowCount.objects.filter(submission=submission).count() == 1


@pytest.mark.django_db
def test_an_edit_of_a_version_not_mapped_yet_is_checked_and_mapped_after_it(
    later, make_user, collect
):
    sender = collect(make_user("enumerator", areas=["ML01"]))
    colleague = collect(make_user("enumerator", areas=["ML01"]))
    stranger = collect(make_user("enumerator", areas=["ML02"]))
    assert post(sender, flow_xml("uuid:v1", men=3)).status_code == 201
    # The version it edits is not mapped yet: its site is read from its fields.
    refused = post(stranger, flow_xml("uuid:v2x", men=9, deprecated_id="uuid:v1"))
    assert refused.status_code == 403
    edit = post(colleague, flow_xml("uuid:v2", men=5, deprecated_id="uuid:v1"))
    assert edit.status_code == 201

    (job,) = map_jobs()
    run_job(job)
    statuses = dict(Submission.objects.values_list("instance_id", "status"))
    assert statuses == {"uuid:v1": "superseded", "uuid:v2x": "refused", "uuid:v2": "accepted"}
    (record,) = FlowCount.objects.all()
    assert (record.submission.instance_id, record.men) == ("uuid:v2", 5)


@pytest.mark.django_db
def test_a_submission_whose_mapping_raises_is_quarantined_alone(
    later, probe, make_user, collect, monkeypatch
):
    clean = probe.clean

    def fragile(data, **kwargs):
        if data.get("men") == "13":
            raise RuntimeError("a mapper's bug")
        return clean(data, **kwargs)

    monkeypatch.setattr(probe, "clean", fragile)
    client = collect(make_user("enumerator", areas=["ML01"]))
    for n, men in enumerate((1, 13, 2)):
        assert post(client, flow_xml(f"uuid:{n}", men=men)).status_code == 201
    (job,) = map_jobs()
    assert run_job(job).outcome["accepted"] == 2
    statuses = dict(Submission.objects.values_list("instance_id", "status"))
    assert statuses == {"uuid:0": "accepted", "uuid:1": "quarantined", "uuid:2": "accepted"}
    assert "a mapper's bug" in Submission.objects.get(instance_id="uuid:1").errors[0]["message"]
    assert [s["instance_id"] for s in probe.saved] == ["uuid:0", "uuid:2"]


@pytest.mark.django_db
def test_the_tick_queues_the_job_when_submissions_wait(later, make_user, reference):
    assert tasks.submissions_map_schedule in periodic()
    assert tasks.submissions_map_schedule() is False  # nothing waits
    user = make_user("enumerator", areas=["ML01"])
    submission_receive(
        channel="openrosa",
        form_id="flow_count",
        instance_id="uuid:left",
        payload="<data/>",
        payload_format="xml",
        data={"site": "BCP-GOGUI"},
        submitter=user,
    )
    assert tasks.submissions_map_schedule() is True
    assert tasks.submissions_map_schedule() is False  # one is queued already
    assert map_jobs().count() == 1


def _store(count: int, user) -> None:
    for n in range(count):
        xml = flow_xml(f"uuid:{n:05d}", men=n % 50)
        parsed = parse_xml(xml)
        submission_receive(
            channel="openrosa",
            form_id="flow_count",
            instance_id=parsed.instance_id,
            payload=xml.decode(),
            payload_format="xml",
            data=parsed.data,
            submitter=user,
        )


def _mapped_once(total: int) -> None:
    assert Submission.objects.filter(status="accepted").count() == total
    per_submission = FlowCount.objects.values("submission").annotate(n=Count("id"))
    assert per_submission.count() == total
    assert {row["n"] for row in per_submission} == {1}


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_map_a_submission_twice(reference, make_user):
    total = 300
    _store(total, make_user("enumerator", areas=["ML01"]))
    start = threading.Barrier(2)
    done: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            start.wait()
            while (batch := received_map_batch(40)) is not None:
                done.append(sum(batch.values()))
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert sum(done) == total
    _mapped_once(total)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_it_received_and_a_rerun_maps_it_once(
    reference, make_user, later, workers
):
    total = 3000
    _store(total, make_user("enumerator", areas=["ML01"]))
    job, created = tasks.job_enqueue(
        kind="submissions_map",
        task=tasks.submissions_map,
        params={"batch_size": 100},
        label="test",
        lock_key=tasks.MAP_LOCK,
    )
    assert created
    first = workers()
    wait_for(
        lambda: 300 <= Submission.objects.filter(status="accepted").count() <= total - 600,
        timeout=120,
        what="the first worker mapping batches",
        worker=first,
    )
    first.kill()  # SIGKILL: the batch it was mapping is rolled back
    accepted = Submission.objects.filter(status="accepted").count()
    assert 0 < accepted < total
    # Every submission is accepted with its record, or still received: nothing half-mapped.
    assert FlowCount.objects.count() == accepted
    assert Submission.objects.filter(status="received").count() == total - accepted

    second = workers()
    wait_for(
        lambda: Job.objects.get(pk=job.pk).status in ("succeeded", "failed"),
        timeout=180,
        what="the job recovered and finished",
        worker=second,
    )
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("succeeded", 2)
    _mapped_once(total)


@pytest.mark.django_db(transaction=True)
def test_the_operators_reprocess_beside_the_job_never_maps_a_submission_twice(reference, make_user):
    from hbmm.intake.review import submissions_reprocess

    total = 300
    _store(total, make_user("enumerator", areas=["ML01"]))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def job():
        while received_map_batch(40) is not None:
            pass

    def operator():
        submissions_reprocess(statuses=["received"], batch_size=40)

    def run(work):
        try:
            start.wait()
            work()
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in (job, operator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    _mapped_once(total)
