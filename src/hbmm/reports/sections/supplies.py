"""Supplies: the loop between the points of entry's capacity gaps and the stock ledger (points
with a gap and nothing dispatched since; of the points without PPE in week W, those that
received PPE by W+1 and reported the gap closed in W+2), stocks running out at the last 4
weeks' use, and what was distributed, from the supplies figures (`hbmm.supplies.figures`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.presentation.figures import format_date, format_number
from hbmm.reports.registry import Context, Section, SectionResult, register
from hbmm.supplies.figures import supplies_section
from hbmm.supplies.selectors import latest_movement_date, stockout_threshold_days

PERMISSION = "supplies.view_movement"


def build(ctx: Context) -> SectionResult:
    latest = latest_movement_date(scope=ctx.scope, end=ctx.as_of)
    if latest is None:
        return SectionResult.empty(
            _("No stock movement recorded up to %(date)s.") % {"date": format_date(ctx.as_of)}
        )
    section = supplies_section(scope=ctx.scope, as_of=ctx.as_of)
    sentences = []
    gaps = section.gap_no_dispatch
    if gaps.denominator:
        sentences.append(
            _(
                "Of the %(total)s points of entry whose latest checklist reports a gap in PPE, "
                "thermometers, handwashing or isolation, %(n)s had nothing of it dispatched "
                "since."
            )
            % {"total": format_number(gaps.denominator), "n": format_number(gaps.value)}
        )
    follow = section.follow_up
    if follow.data.reported:
        sentences.append(
            _(
                "Of the %(n)s points that reported no PPE stock in %(w)s, %(m)s received PPE by "
                "the end of %(w1)s and %(k)s reported the gap closed in %(w2)s."
            )
            % {
                "n": format_number(len(follow.data.reported)),
                "m": format_number(len(follow.data.received)),
                "k": format_number(len(follow.data.closed)),
                "w": follow.received.parts.get("week", ""),
                "w1": follow.received.parts.get("week_1", ""),
                "w2": follow.received.parts.get("week_2", ""),
            }
        )
    sentences.append(
        _(
            "%(n)s stocks (holder and item) would last fewer than %(days)s days at the last 4 "
            "weeks' use; %(units)s units were distributed over those 4 weeks."
        )
        % {
            "n": format_number(section.stockout.value),
            "days": format_number(stockout_threshold_days()),
            "units": format_number(section.distributed.value),
        }
    )
    return SectionResult(figures=section.figures, sentences=sentences, latest=latest)


register(
    Section(
        key="supplies",
        title=gettext_lazy("Supplies"),
        build=build,
        order=85,
        permission=PERMISSION,
        # Not on the plan's first page: in the report after the charts and map (the overview
        # still fits on two pages), on the overview page with the others.
        role="annex",
        latest=lambda scope: latest_movement_date(scope=scope),
    )
)
