"""Reference data of the response app, loaded by `hbmm load_reference`: the plan shipped with
HBMM (IOM Mali's 2020 Strategic Preparedness and Response Plan: its priorities, pillars,
activities, indicators and the funding requirement by pillar, data/iom-mali-covid19-sprp-2020.json),
loaded or brought up to date (a changed target becomes a new version)."""

from hbmm.response.services import shipped_plan_load


def load(stdout) -> None:
    plan = shipped_plan_load()
    stdout.write(
        f"response: plan {plan.code}: {plan.pillars.count()} pillars, "
        f"{plan.indicators.count()} indicators\n"
    )
