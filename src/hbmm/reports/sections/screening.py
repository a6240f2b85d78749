"""Screening and community surveillance: travellers screened at the points of entry in the
7 days up to the as-of date (suspects, isolation, referral, sampling, delays), the laboratory
turnaround of the last 4 weeks' samples (`hbmm.health.labs.figures`) and the 7-1-7
timeliness of community signals, from the screening and EBS figures
(`hbmm.health.screening.figures`, `hbmm.health.ebs.figures`)."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hbmm.health.ebs.figures import verified_within_target
from hbmm.health.labs.figures import lab_period
from hbmm.health.screening.charts import weekly_chart
from hbmm.health.screening.figures import screening_period
from hbmm.health.screening.selectors import latest_screening_date, screening_figures
from hbmm.presentation.figures import format_date, format_number, format_percent, plural_count
from hbmm.reports.registry import Context, Section, SectionResult, register

PERMISSION = "health.view_screening_figures"
SIGNAL_PERMISSION = "health.view_signal"
LAB_PERMISSION = "health.view_lab_figures"
WINDOW_DAYS = 7
# Results take days: the laboratory sentence looks at the samples of the last 4 weeks.
LAB_WINDOW_DAYS = 28
CHART_WEEKS = 12
COUNTS = ("screened", "points", "suspect", "referred", "sampled", "positive")


def _share(n, total) -> str:
    return format_percent(100 * n / total) if total else _("n/a")


def build(ctx: Context) -> SectionResult:
    end = ctx.as_of
    start = end - timedelta(days=WINDOW_DAYS - 1)
    period = screening_period(scope=ctx.scope, start=start, end=end, last_days=WINDOW_DAYS)
    dates = {"start": format_date(start), "end": format_date(end)}
    if not period.has_data:
        return SectionResult.empty(
            _("No traveller was screened from %(start)s to %(end)s.") % dates
        )
    totals = period.totals
    figures = list(period.figures)
    n = {key: plural_count(totals[key]) for key in COUNTS}
    sentences = [
        _(
            "From %(start)s to %(end)s, %(screened)s at %(points)s; %(suspect)s (%(share)s), "
            "of whom %(referred)s and %(sampled)s (%(positive)s)."
        )
        % {
            **dates,
            "screened": ngettext(
                "%(n)s traveller was screened", "%(n)s travellers were screened", n["screened"]
            )
            % {"n": format_number(totals["screened"])},
            "points": ngettext("%(n)s point of entry", "%(n)s points of entry", n["points"])
            % {"n": format_number(totals["points"])},
            "suspect": ngettext(
                "%(n)s met the suspect case definition",
                "%(n)s met the suspect case definition",
                n["suspect"],
            )
            % {"n": format_number(totals["suspect"])},
            "share": _share(totals["suspect"], totals["screened"]),
            "referred": ngettext("%(n)s was referred", "%(n)s were referred", n["referred"])
            % {"n": format_number(totals["referred"])},
            "sampled": ngettext("%(n)s sampled", "%(n)s sampled", n["sampled"])
            % {"n": format_number(totals["sampled"])},
            "positive": ngettext("%(n)s positive", "%(n)s positive", n["positive"])
            % {"n": format_number(totals["positive"])},
        }
    ]
    hours = totals["median_hours_to_notification"]
    if hours is not None:
        sentences.append(
            ngettext(
                "Median time from screening to notification: %(hours)s hour.",
                "Median time from screening to notification: %(hours)s hours.",
                plural_count(hours, decimals=1),
            )
            % {"hours": format_number(hours, decimals=1)}
        )
    lab_sentence = _laboratories(ctx, figures, ctx.user)
    if lab_sentence:
        sentences.append(lab_sentence)
    if ctx.user.has_perm(SIGNAL_PERMISSION):
        verified = verified_within_target(scope=ctx.scope, start=start, end=end)
        if verified.has_data:
            figures.append(verified)
            signals, met, overdue = (
                verified.parts["signals"],
                verified.value,
                verified.parts["overdue"],
            )
            sentences.append(
                _("%(reported)s; %(met)s, %(overdue)s.")
                % {
                    "reported": ngettext(
                        "%(n)s community health signal was reported",
                        "%(n)s community health signals were reported",
                        plural_count(signals),
                    )
                    % {"n": format_number(signals)},
                    "met": ngettext(
                        "%(n)s of the %(assessed)s verified was verified within 24 hours",
                        "%(n)s of the %(assessed)s verified were verified within 24 hours",
                        plural_count(met),
                    )
                    % {"n": format_number(met), "assessed": format_number(verified.denominator)},
                    "overdue": ngettext(
                        "%(n)s is overdue", "%(n)s are overdue", plural_count(overdue)
                    )
                    % {"n": format_number(overdue)},
                }
            )
    weeks_start = ctx.as_of - timedelta(weeks=CHART_WEEKS) + timedelta(days=1)
    # The chart shows the counts; the weekly median delays are not read.
    weekly = screening_figures(
        scope=ctx.scope, start=weeks_start, end=ctx.as_of, by=("week",), delays=False
    )
    return SectionResult(
        figures=figures, sentences=sentences, charts=[weekly_chart(weekly)], latest=end
    )


def _laboratories(ctx: Context, figures: list, user) -> str:
    """One sentence on the samples of the last 4 weeks, for a reader of the laboratory figures:
    the median and 90th percentile time from sampling to result, and the samples waiting more
    than 48 hours; their figures join the section's."""
    if not user.has_perm(LAB_PERMISSION):
        return ""
    start = ctx.as_of - timedelta(days=LAB_WINDOW_DAYS - 1)
    period = lab_period(scope=ctx.scope, start=start, end=ctx.as_of)
    if not period.has_data:
        return ""
    keyed = {f.key: f for f in period.figures}
    median, p90 = keyed.get("labs.median_hours_to_result"), keyed.get("labs.p90_hours_to_result")
    waiting = keyed["labs.waiting_48h"]
    figures += [f for f in (median, p90, waiting) if f is not None]
    late = ngettext(
        "%(n)s sample waiting more than 48 hours for a result",
        "%(n)s samples waiting more than 48 hours for a result",
        plural_count(waiting.value),
    ) % {"n": format_number(waiting.value)}
    dates = {"start": format_date(start), "end": format_date(ctx.as_of)}
    if median is None or p90 is None:
        return _(
            "Laboratories, samples taken from %(start)s to %(end)s: no result yet; %(late)s."
        ) % {
            **dates,
            "late": late,
        }
    return _(
        "Laboratories, samples taken from %(start)s to %(end)s: median time from sampling to "
        "result %(median)s h (90th percentile %(p90)s h, %(over)s); %(late)s."
    ) % {
        **dates,
        "median": format_number(median.value, decimals=1),
        "p90": format_number(p90.value, decimals=1),
        "over": ngettext("over %(n)s sample", "over %(n)s samples", plural_count(median.parts["n"]))
        % {"n": format_number(median.parts["n"])},
        "late": late,
    }


register(
    Section(
        key="screening",
        title=gettext_lazy("Screening and community surveillance"),
        build=build,
        order=40,
        permission=PERMISSION,
        latest=lambda scope: latest_screening_date(scope=scope),
        report_graphics=False,  # the report's charts are the plan's three and the map
    )
)
