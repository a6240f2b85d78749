"""hbmm worker: run background jobs (imports, pulls, alert e-mails, PDF reports)."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.jobs.worker import backend_kind, run_worker


class Command(BaseCommand):
    help = (
        "Run background jobs: the tasks stored in the database (default), or those of the RQ "
        "queue on Redis when REDIS_URL is set. Also queues again the jobs of a worker that "
        "died, and starts the pulls that are due. Ctrl-C stops it (the job in progress "
        "finishes first; twice stops at once, and the job runs again later)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst", action="store_true", help="run the jobs that are ready, then exit"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at the queue"
        )
        parser.add_argument(
            "--no-tick",
            action="store_true",
            help="no recovery of lost jobs and no scheduled pulls from this worker",
        )

    def handle(self, *args, burst=False, interval=1.0, no_tick=False, **options):
        kind = backend_kind()
        if kind == "inline":
            raise CommandError("the task backend runs tasks inline: there is nothing to work on")
        if options["verbosity"] >= 1:
            self.stdout.write(f"hbmm worker: {kind} backend" + (" (burst)" if burst else ""))
        run_worker(burst=burst, interval=interval, tick=not no_tick)
