"""The public situation report (`hbmm sitrep --public`): the same sections, built only from
figures that passed small-cell suppression, with the rules of the public release
(`hbmm publish`, `hbmm.disclosure`, threshold `HBMM_PUBLIC_MIN_CELL`).

What a public section keeps:
- its figures, each COUNT of people (`Figure.disclosure`) withheld when it is from 1 to the
  threshold less one, and complements withheld so that no withheld count can be worked out:
  * a share ("6 of 49 screened") is the one-row table (value, denominator - value) with its
    total: a small complement ("48 of 49 referred": 1 was not) withholds the value too;
  * figures that count parts of another (`Figure.within`: incoming and outgoing travellers of
    all travellers) are the row (parts..., rest) with the total as margin, suppressed as the
    release's tables are (`hbmm.disclosure.suppress`);
  a FACT (points, sites, stocks, money, time) is published as it is;
- nothing of a section marked `public=False` (protection: no protection data is published, even
  counted and suppressed);
- no sentence, chart or map: they are written from the records and would show what the
  figures withhold; no definition of a count (definitions name the numbers behind it, "over 6
  suspects"); the footnote says how suppression works.
"""

import dataclasses
from collections.abc import Iterable

from django.utils.translation import gettext

from hbmm.disclosure import suppress
from hbmm.presentation.figures import COUNT, Figure
from hbmm.reports.registry import SectionOutput, SectionResult


def _counted(figure: Figure) -> bool:
    """Whether suppression applies: a count of people, with a whole value."""
    return figure.disclosure == COUNT and figure.has_data and figure.decimals == 0


def _hidden_in_row(cells: list[int], threshold: int) -> tuple[set[int], bool]:
    """(positions of `cells` withheld, whether their total is withheld) for a one-row table of
    counts published with its total."""
    result = suppress([cells], threshold=threshold)
    width = len(cells)
    # With one row, the column totals repeat the cells: a cell is withheld if either is.
    hidden = {j for j in range(width) if (0, j) in result.hidden or (1, j) in result.hidden}
    return hidden, (0, width) in result.hidden or (1, width) in result.hidden


def withheld_keys(figures: Iterable[Figure], *, threshold: int) -> set[str]:
    """The keys of the figures the public report withholds (see the module's docstring)."""
    figures = [f for f in figures if _counted(f)]
    by_key = {f.key: f for f in figures}
    withheld: set[str] = set()
    parts: dict[str, list[Figure]] = {}
    for figure in figures:
        value = int(figure.value)  # type: ignore[arg-type]
        if figure.within and figure.within in by_key:
            parts.setdefault(figure.within, []).append(figure)
        elif figure.denominator is not None and not figure.against_target:
            # a target is not a whole the value is part of: no complement to protect
            hidden, total_hidden = _hidden_in_row(
                [value, int(figure.denominator) - value], threshold
            )
            if 0 in hidden or 1 in hidden or total_hidden:
                withheld.add(figure.key)
        elif 0 < value < threshold:
            withheld.add(figure.key)
    for total_key, group in parts.items():
        total = int(by_key[total_key].value)  # type: ignore[arg-type]
        values = [int(f.value) for f in group]  # type: ignore[arg-type]
        rest = total - sum(values)
        rows = [(group, values + [rest])] if rest >= 0 else []
        if rest < 0:  # parts that overlap (women, children): each part with its own rest
            rows = [([f], [v, total - v]) for f, v in zip(group, values, strict=True)]
        for members, cells in rows:
            hidden, total_hidden = _hidden_in_row(cells, threshold)
            withheld.update(f.key for j, f in enumerate(members) if j in hidden)
            if total_hidden:
                withheld.add(total_key)
    return withheld


def public_outputs(outputs: list[SectionOutput], *, threshold: int) -> list[SectionOutput]:
    """The sections of the public report: figures only, the small counts withheld."""
    every = [f for o in outputs if o.section.public for f in o.result.figures]
    withheld = withheld_keys(every, threshold=threshold)
    public = []
    for output in outputs:
        result = output.result
        if not output.section.public:
            result = SectionResult.empty(
                gettext("Not published: this section holds protection data.")
            )
        elif result.has_data:
            figures = [
                dataclasses.replace(f, suppressed=True, definition="")
                if f.key in withheld
                else (dataclasses.replace(f, definition="") if _counted(f) else f)
                for f in result.figures
            ]
            result = SectionResult(
                figures=figures,
                no_data=not figures,
                no_data_message=result.no_data_message,
                latest=result.latest,
            )
            if not figures:  # a section written only in sentences
                result = SectionResult.empty(
                    gettext("This section is written from the records: not in the public report.")
                )
        public.append(dataclasses.replace(output, result=result))  # keeps its date
    return public
