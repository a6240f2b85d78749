"""Two workers receiving the same instance at the same moment store one record (the unique
constraint decides, not a check-then-insert race). Real threads, real transactions."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from hbmm.intake.models import Submission
from tests.intake.conftest import flow_xml


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_instance_make_one_record(
    probe, make_user, collect, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    user = make_user("enumerator", areas=["ML01"])
    xml = flow_xml("uuid:race")
    barrier = threading.Barrier(2)
    from hbmm.intake import submissions

    resolve_root = submissions.root_resolve
    seen_first = threading.Barrier(2)

    def resolve_root_together(**kwargs):
        # Both workers have looked for the instance and found nothing: now both insert.
        seen_first.wait(timeout=10)
        return resolve_root(**kwargs)

    monkeypatch.setattr(submissions, "root_resolve", resolve_root_together)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def worker():
        try:
            client = collect(user)
            barrier.wait(timeout=10)
            response = client.post(
                "/submission",
                {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")},
            )
            statuses.append(response.status_code)
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(statuses) == [201, 201]
    assert Submission.objects.filter(instance_id="uuid:race").count() == 1
    assert Submission.objects.get(instance_id="uuid:race").status == "accepted"
    assert [s["instance_id"] for s in probe.saved] == ["uuid:race"]
