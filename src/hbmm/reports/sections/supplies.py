"""Supplies: the loop between the points of entry's capacity gaps and the stock ledger (points
with a gap and nothing dispatched since; of the points without PPE in week W, those that
received PPE by W+1 and reported the gap closed in W+2), stocks running out at the last 4
weeks' use, and what was distributed, from the supplies figures (`hbmm.supplies.figures`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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
        total, n = gaps.denominator, int(gaps.value or 0)
        sentences.append(
            _("%(of_total)s, %(waiting)s.")
            % {
                "of_total": ngettext(
                    "Of the %(total)s point of entry whose latest checklist reports a gap in "
                    "PPE, thermometers, handwashing or isolation",
                    "Of the %(total)s points of entry whose latest checklist reports a gap in "
                    "PPE, thermometers, handwashing or isolation",
                    total,
                )
                % {"total": format_number(total)},
                "waiting": ngettext(
                    "%(n)s had nothing of it dispatched since",
                    "%(n)s had nothing of it dispatched since",
                    n,
                )
                % {"n": format_number(n)},
            }
        )
    follow = section.follow_up
    if follow.data.reported:
        weeks = {k: follow.received.parts.get(k, "") for k in ("week", "week_1", "week_2")}
        n, m, k = (len(follow.data.reported), len(follow.data.received), len(follow.data.closed))
        sentences.append(
            _("%(of_n)s, %(received)s and %(closed)s.")
            % {
                "of_n": ngettext(
                    "Of the %(n)s point that reported no PPE stock in %(w)s",
                    "Of the %(n)s points that reported no PPE stock in %(w)s",
                    n,
                )
                % {"n": format_number(n), "w": weeks["week"]},
                "received": ngettext(
                    "%(m)s received PPE by the end of %(w1)s",
                    "%(m)s received PPE by the end of %(w1)s",
                    m,
                )
                % {"m": format_number(m), "w1": weeks["week_1"]},
                "closed": ngettext(
                    "%(k)s reported the gap closed in %(w2)s",
                    "%(k)s reported the gap closed in %(w2)s",
                    k,
                )
                % {"k": format_number(k), "w2": weeks["week_2"]},
            }
        )
    low, units = int(section.stockout.value or 0), int(section.distributed.value or 0)
    sentences.append(
        _("%(low)s; %(units)s.")
        % {
            "low": ngettext(
                "%(n)s stock (holder and item) would last fewer than %(days)s days at the last "
                "4 weeks' use",
                "%(n)s stocks (holder and item) would last fewer than %(days)s days at the last "
                "4 weeks' use",
                low,
            )
            % {"n": format_number(low), "days": format_number(stockout_threshold_days())},
            "units": ngettext(
                "%(units)s unit was distributed over those 4 weeks",
                "%(units)s units were distributed over those 4 weeks",
                units,
            )
            % {"units": format_number(units)},
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
