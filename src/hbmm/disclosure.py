"""Small-cell suppression of the counts HBMM publishes (`hbmm publish`, public outputs).

A published table of counts is a grid with its margins: cells x[i][j] (e.g. travellers per
point and month), the row totals, the column totals and the grand total. A count from 1 to
`threshold - 1` (`HBMM_PUBLIC_MIN_CELL`, 5 by default) is *primarily* suppressed: it could
single out a few people. Zero stays: it reveals nobody.

Suppressing a cell is not enough when the margins are published: a row total minus the other
cells of the row gives it back. So cells are *complementarily* suppressed until no suppressed
value can be worked out from what is published. The rule used is the classical one for a
two-way table with margins: treat the table with its margins as one (R+1) x (C+1) grid (a
margin is a cell of the extended grid, and may itself be small); the suppressed cells are the
edges of a bipartite graph between its rows and its columns. A suppressed value is determined
by the published values exactly when its edge is a *bridge* of that graph (it lies on no
cycle): along a cycle the values can be shifted by +1/-1 alternately and every published sum
stays the same. So every suppressed cell is put on a cycle, and complements are chosen among
non-zero cells (a cycle through a 0 could not be shifted downwards): for a cell left exposed,
the cheapest path of non-zero cells from its row to its column (the counts withheld summed,
cells already withheld free), the usual shortest-path heuristic of statistical offices.

What this does not cover: the same counts published in another table (another grouping, the
situation report) could be combined with this one; `hbmm publish` therefore publishes each
count in one table only, with its margins.
"""

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

Cell = tuple[int, int]


@dataclass(frozen=True)
class Suppressed:
    """A grid with its margins and which of its cells are withheld.

    `grid` is the extended grid: rows of cells each followed by its row total, then the row of
    column totals followed by the grand total. `hidden` holds the (row, column) positions of
    the extended grid that are not published."""

    grid: tuple[tuple[int, ...], ...]
    hidden: frozenset[Cell]
    threshold: int

    def value(self, row: int, column: int) -> int | None:
        """The published value of a cell of the extended grid, None when suppressed."""
        return None if (row, column) in self.hidden else self.grid[row][column]

    @property
    def published(self) -> list[list[int | None]]:
        return [[self.value(i, j) for j in range(len(self.grid[0]))] for i in range(len(self.grid))]

    @property
    def primary(self) -> frozenset[Cell]:
        return frozenset(cell for cell in self.hidden if 0 < self._at(cell) < self.threshold)

    def _at(self, cell: Cell) -> int:
        return self.grid[cell[0]][cell[1]]


def with_margins(cells: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """The extended grid of `cells`: each row with its total, then the column totals and the
    grand total."""
    rows = [tuple(int(v) for v in row) + (sum(int(v) for v in row),) for row in cells]
    width = len(rows[0]) if rows else 1
    totals = tuple(sum(row[j] for row in rows) for j in range(width))
    return (*rows, totals)


def _connected_without(hidden: set[Cell], cell: Cell) -> bool:
    """Whether row `cell[0]` and column `cell[1]` are joined by suppressed cells other than
    `cell` (then `cell` lies on a cycle)."""
    by_row: dict[int, list[int]] = {}
    by_column: dict[int, list[int]] = {}
    for i, j in hidden:
        if (i, j) == cell:
            continue
        by_row.setdefault(i, []).append(j)
        by_column.setdefault(j, []).append(i)
    start, goal = ("r", cell[0]), ("c", cell[1])
    seen = {start}
    queue = deque([start])
    while queue:
        kind, index = queue.popleft()
        if (kind, index) == goal:
            return True
        nexts = (
            [("c", j) for j in by_row.get(index, ())]
            if kind == "r"
            else [("r", i) for i in by_column.get(index, ())]
        )
        for node in nexts:
            if node not in seen:
                seen.add(node)
                queue.append(node)
    return False


def exposed_cells(grid: Sequence[Sequence[int]], hidden: set[Cell] | frozenset[Cell]) -> set[Cell]:
    """The suppressed cells whose value the published grid still gives away: on no cycle of
    suppressed cells, or on cycles only through zeros (nothing to shift)."""
    usable = {c for c in hidden if grid[c[0]][c[1]] > 0}
    exposed = {c for c in hidden if grid[c[0]][c[1]] == 0}
    return exposed | {c for c in usable if not _connected_without(usable, c)}


def _cheapest_cycle(grid, hidden: set[Cell], cell: Cell) -> list[Cell] | None:
    """The published cells to withhold so that `cell` lies on a cycle of withheld cells: the
    cheapest path from its row to its column through non-zero cells other than itself
    (Dijkstra; a withheld cell costs nothing, a published one its count), or None."""
    start, goal = ("r", cell[0]), ("c", cell[1])
    best: dict[tuple[str, int], int] = {start: 0}
    came: dict[tuple[str, int], tuple[tuple[str, int], Cell]] = {}
    queue = [(0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            path = []
            while node != start:
                node, step = came[node]
                if step not in hidden:
                    path.append(step)
            return path
        if cost > best.get(node, cost):
            continue
        kind, index = node
        if kind == "r":
            steps = [((index, j), ("c", j)) for j in range(len(grid[0]))]
        else:
            steps = [((i, index), ("r", i)) for i in range(len(grid))]
        for step, nxt in steps:
            value = grid[step[0]][step[1]]
            if step == cell or value <= 0:
                continue
            total = cost + (0 if step in hidden else value)
            if total < best.get(nxt, total + 1):
                best[nxt] = total
                came[nxt] = (node, step)
                heapq.heappush(queue, (total, nxt))
    return None


def suppress(cells: Sequence[Sequence[int]], *, threshold: int) -> Suppressed:
    """Suppress the small counts of the table `cells` (rows of counts) and of its margins, and
    the complements that keep them from being worked out (see the module's docstring)."""
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    grid = with_margins(cells)
    hidden = {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if 0 < value < threshold
    }
    while True:
        exposed = sorted(exposed_cells(grid, hidden))
        if not exposed:
            break
        path = _cheapest_cycle(grid, hidden, exposed[0])
        if not path:  # nothing can hide it beside the others: withhold every count
            hidden |= {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v}
            break
        hidden.update(path)
    return Suppressed(grid=grid, hidden=frozenset(hidden), threshold=threshold)
