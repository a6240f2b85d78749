"""hbmm import_plan FILE: load or update a response plan from a JSON file (the shape of
hbmm/response/data/iom-mali-covid19-sprp-2020.json)."""

from django.core.management.base import BaseCommand, CommandError

from hbmm.response.services import PlanFileError, plan_file_read, plan_import


class Command(BaseCommand):
    help = "Load or update a response plan (priorities, pillars, activities, indicators, targets, budget) from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            plan = plan_import(data=plan_file_read(options["file"]))
        except PlanFileError as exc:
            raise CommandError(str(exc)) from exc
        requirement = sum(p.requirement for p in plan.pillars.all())
        self.stdout.write(
            f"{plan.code}: {plan.priorities.count()} priorities, {plan.pillars.count()} pillars, "
            f"{plan.indicators.count()} indicators, requirement {requirement:,.0f} {plan.currency}\n"
        )
