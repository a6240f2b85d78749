"""What a report reproduced "as known on" a moment says about itself (`hbmm sitrep --as-of
DATE --as-known-on DATETIME`, a published report's archive).

The cut itself is the scope's (`hbmm.accounts.scope`: every selector applies it with the
geography). What it cannot do is said in the report rather than mixed in silently: records
known then and replaced after (edits, corrections: their old version is deleted, so they are
left out), records changed in place after (workflow steps: counted as they are now), and the
kinds of records that carry no entry time (read as they are now).
"""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.accounts.scope import changed_in_place_count
from hbmm.intake import selectors as intake_selectors
from hbmm.reports.registry import Context


def format_moment(moment: dt.datetime) -> str:
    """A moment as the report prints it: 2020-05-16 08:30 UTC (the server's time is UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def known_note(ctx: Context, gaps: set) -> list[str]:
    """The sentences a report cut at `ctx.known_on` prints; `gaps` are the models read under
    the cut that carry no entry time (`hbmm.accounts.scope.time_cut_gaps`)."""
    moment = ctx.known_on
    if moment is None:
        return []
    whole = ctx.scope.as_known_on(None)
    lines = [
        _("As HBMM knew it on %(moment)s: records entered after that moment are left out.")
        % {"moment": format_moment(moment)}
    ]
    replaced = intake_selectors.versions_replaced_after(scope=whole, moment=moment)
    if replaced:
        lines.append(
            ngettext(
                "%(n)s submission known then was edited or corrected after that moment: its "
                "earlier version is not kept, so its records are left out.",
                "%(n)s submissions known then were edited or corrected after that moment: "
                "their earlier version is not kept, so their records are left out.",
                replaced,
            )
            % {"n": replaced}
        )
    in_place = changed_in_place_count(whole, after=moment)
    if in_place:
        lines.append(
            ngettext(
                "%(n)s record known then was changed after that moment (a workflow step, a "
                "verification): it is counted as it is now.",
                "%(n)s records known then were changed after that moment (workflow steps, "
                "verifications): they are counted as they are now.",
                in_place,
            )
            % {"n": in_place}
        )
    if gaps:
        names = sorted(str(model._meta.verbose_name_plural) for model in gaps)
        lines.append(
            _("These records carry no entry time and are counted as they are now: %s.")
            % ", ".join(names)
        )
    return lines
