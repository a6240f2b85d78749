"""The Jobs pages: a user sees their own jobs, an administrator every job; another user's
job is not found; the PDF report asked for on the web is made by a job and served from it."""

import pytest
from django.urls import reverse

from hbmm.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def job_of(user, label: str, **extra) -> Job:
    values = {"kind": "import", "task_path": "hbmm.intake.tasks.import_file_read", **extra}
    return Job.objects.create(label=label, requested_by=user, **values)


def test_users_see_their_own_jobs_and_administrators_all(client, make_user):
    officer = make_user("im_officer", areas=["ML01"])
    other = make_user("im_officer", areas=["ML03"])
    admin = make_user("admin")
    mine = job_of(officer, "mine.csv", status="succeeded", outcome={"read": 2, "accepted": 2})
    theirs = job_of(other, "theirs.csv")
    client.force_login(officer)
    page = client.get(reverse("jobs:list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert [row["job"] for row in page.context["rows"]] == [mine]
    text = page.content.decode()
    assert "2 lignes lues, 2 acceptées, 0 mise en quarantaine, 0 déjà reçue" in text
    assert client.get(reverse("jobs:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("jobs:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("jobs:status", args=[theirs.pk])).status_code == 404
    client.force_login(admin)
    page = client.get(reverse("jobs:list"))
    assert {row["job"] for row in page.context["rows"]} == {mine, theirs}
    # Roles that run no imports or pulls have no Jobs page (their own job pages still open).
    client.force_login(make_user("viewer", areas=["MLI"]))
    assert client.get(reverse("jobs:list")).status_code == 403


def test_the_pdf_report_is_made_by_a_job_and_served_from_it(client, make_user, admin_client):
    viewer = make_user("viewer", areas=["MLI"])
    client.force_login(viewer)
    response = client.get(reverse("reports:report"), {"as_of": "2020-05-15", "format": "pdf"})
    job = Job.objects.get(kind="sitrep_pdf")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.requested_by, job.params["lang"]) == ("succeeded", viewer, "fr")
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert (status["status"], status["percent"], status["file"]) == ("succeeded", 100, True)
    page = client.get(response["Location"])
    assert reverse("jobs:file", args=[job.pk]) in page.content.decode()
    pdf = client.get(reverse("jobs:file", args=[job.pk]))
    assert pdf["Content-Disposition"].endswith('filename="hbmm-sitrep-2020-05-15-fr.pdf"')
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # The admin's job page links to that download, not to MEDIA_URL (which is not served).
    admin_page = admin_client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert reverse("jobs:file", args=[job.pk]) in admin_page and "/media/" not in admin_page
    # Another user cannot fetch it.
    client.force_login(make_user("viewer", areas=["MLI"]))
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    # A bad language is refused at once, naming the parameter; nothing is queued.
    bad = client.get(reverse("reports:report"), {"format": "pdf", "lang": "de"})
    assert bad.status_code == 400 and b"lang: 'de'" in bad.content
    assert Job.objects.count() == 1


def test_a_failed_job_runs_again_from_its_page(client, make_user, reference, settings):
    from hbmm.intake.models import PullSource
    from hbmm.intake.tasks import pull_enqueue

    officer = make_user("im_officer", areas=["MLI"])
    source = PullSource.objects.create(
        name="Central",
        channel="odk_central",
        server_url="http://127.0.0.1:9",  # nothing listens: the pull fails
        project_id="1",
        remote_form_id="f",
        form_id="flow_count",
    )
    job, _ = pull_enqueue(source=source, by=officer)
    job.refresh_from_db()
    assert job.status == "failed" and job.error
    client.force_login(officer)
    page = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert b"Run again" in page.content
    response = client.post(reverse("jobs:rerun", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)  # ran again (inline here), failed again
    assert Job.objects.count() == 1


def test_the_jobs_page_costs_the_same_queries_for_1_job_as_for_30(client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user("admin")
    client.force_login(admin)
    users = [make_user("im_officer", areas=["MLI"]) for _ in range(3)]

    def queries(n: int) -> int:
        Job.objects.all().delete()
        for i in range(n):
            job_of(users[i % 3], f"f{i}.csv", status="succeeded", outcome={"read": i})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("jobs:list")).status_code == 200
        return len(captured)

    assert queries(1) == queries(30)


def test_work_nobody_asked_for_is_titled_in_the_readers_language(client, make_user):
    import datetime as dt

    from django.utils import timezone

    made = timezone.make_aware(dt.datetime(2020, 5, 15, 9, 0))
    mapping = Job.objects.create(
        kind="submissions_map", task_path="x.y", label="Soumissions reçues d’ODK Collect"
    )
    reminders = Job.objects.create(
        kind="reporting_reminder", task_path="x.y", label="Rappels, 2020-05-15", created_at=made
    )
    client.force_login(make_user("admin"))
    english = client.get(reverse("jobs:list"), HTTP_ACCEPT_LANGUAGE="en")
    titles = {row["job"]: row["title"] for row in english.context["rows"]}
    assert titles[mapping] == "Submissions received from ODK Collect and Enketo"
    assert titles[reminders] == "Reminders of late reports, 15 May 2020"
    french = client.get(reverse("jobs:detail", args=[reminders.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "<h1>Rappels des rapports en retard, 15 mai 2020 " in french.content.decode()
