"""Counts the fuzz cases run (the examples Hypothesis generated), printed at the end of the run.

The profile (how many examples) is chosen in tests/conftest.py: `HYPOTHESIS_PROFILE=long`."""

from collections import Counter

CASES: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if CASES:
        parts = ", ".join(f"{name} {n}" for name, n in sorted(CASES.items()))
        terminalreporter.write_line(f"fuzz cases: {sum(CASES.values())} ({parts})")
