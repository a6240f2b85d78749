"""Small-cell suppression (hbmm.disclosure): every small count is withheld, and no withheld
value can be worked out from the published table and its margins."""

import itertools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hbmm.disclosure import exposed_cells, suppress, with_margins


def tables(max_rows=5, max_columns=5, max_value=40):
    return st.integers(1, max_rows).flatmap(
        lambda rows: st.integers(1, max_columns).flatmap(
            lambda columns: st.lists(
                st.lists(st.integers(0, max_value), min_size=columns, max_size=columns),
                min_size=rows,
                max_size=rows,
            )
        )
    )


def test_the_plan_example():
    # Travellers at three points over two months; 3 (Gogui, May) is small.
    result = suppress([[120, 3], [80, 60], [45, 52]], threshold=5)
    assert result.grid == ((120, 3, 123), (80, 60, 140), (45, 52, 97), (245, 115, 360))
    assert (0, 1) in result.hidden
    # Its row total and its column total would give it back: complements are withheld in its
    # row and its column, forming a cycle; nothing more.
    assert len(result.hidden) == 4
    assert not exposed_cells(result.grid, result.hidden)
    assert result.value(3, 2) == 360  # the grand total stays published


def test_zero_is_published_and_nothing_small_means_nothing_withheld():
    result = suppress([[0, 10], [7, 25]], threshold=5)
    assert result.hidden == frozenset()
    assert result.published[0][0] == 0


def test_a_small_margin_is_withheld_too():
    result = suppress([[1, 1], [0, 0]], threshold=5)
    # Every non-zero count here is small: the row total 2, the column totals 1 and 1, the
    # grand total 2 are all withheld, and the zero row stays published.
    assert result.published[1] == [0, 0, 0]
    assert all(value is None for value in result.published[0])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=tables(), threshold=st.integers(1, 11))
def test_every_small_count_is_withheld_and_none_is_exposed(cells, threshold):
    result = suppress(cells, threshold=threshold)
    for i, row in enumerate(result.grid):
        for j, value in enumerate(row):
            if 0 < value < threshold:
                assert (i, j) in result.hidden
            if (i, j) in result.hidden:
                assert value > 0  # zeros are never withheld
    assert not exposed_cells(result.grid, result.hidden)


def _consistent_values(grid, hidden):
    """Every value each withheld inner cell can take in a table of non-negative integers with
    the same published cells and margins (brute force, independent of the algorithm)."""
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    inner = sorted(c for c in hidden if c[0] < rows and c[1] < columns)
    grand = grid[rows][columns]
    ranges = [range(0, grand + 1) for _cell in inner]
    possible = {cell: set() for cell in hidden}
    for values in itertools.product(*ranges):
        table = [list(row[:columns]) for row in grid[:rows]]
        for (i, j), value in zip(inner, values, strict=True):
            table[i][j] = value
        extended = with_margins(table)
        if all(
            extended[i][j] == grid[i][j]
            for i in range(rows + 1)
            for j in range(columns + 1)
            if (i, j) not in hidden
        ):
            for cell in hidden:
                possible[cell].add(extended[cell[0]][cell[1]])
    return possible


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=tables(max_rows=2, max_columns=3, max_value=7), threshold=st.integers(2, 6))
def test_no_withheld_value_can_be_recovered_brute_force(cells, threshold):
    result = suppress(cells, threshold=threshold)
    rows, columns = len(cells), len(cells[0])
    inner = [c for c in result.hidden if c[0] < rows and c[1] < columns]
    assume((result.grid[rows][columns] + 1) ** len(inner) <= 60_000)
    possible = _consistent_values(result.grid, result.hidden)
    for cell in result.hidden:
        assert result.grid[cell[0]][cell[1]] in possible[cell]
        assert len(possible[cell]) >= 2, (cell, result.published)
