"""Run mypy over src/hbmm and compare its errors with the committed baseline.

    python tools/typecheck.py            # `make typecheck`: fails on any error not in the baseline,
                                         # and on baseline entries that are gone (so it only shrinks)
    python tools/typecheck.py --update   # `make typecheck-baseline`: rewrites the baseline

The baseline (tools/mypy-baseline.txt) holds one line per error, `path: message  [code]`, without
line numbers, so that editing a file above an old error does not make it "new". An error that
appears once more than the baseline lists for that file and message is new. mypy's settings are
in pyproject.toml ([tool.mypy]).
"""

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tools" / "mypy-baseline.txt"
HEADER = (
    "# mypy errors accepted for now (see tools/typecheck.py). Only ever shrinks: fix an error,\n"
    "# then `make typecheck-baseline` removes it. Never regenerate to let a new error in.\n"
)
# "src/hbmm/x.py:12: error: message  [code]"; ":12:5:" with column numbers, none for some errors
ERROR = re.compile(r"^(?P<path>[^:\n]+\.pyi?):(?:\d+:){0,2} error: (?P<message>.*)$")


LINE_MENTION = re.compile(r"\bline \d+\b")


def normalise(path: str, message: str) -> str:
    # Messages that mention a line ("already defined on line 559") would move with the code too.
    return f"{path}: {LINE_MENTION.sub('line N', message)}"


def mypy_errors(args: list[str]) -> tuple[list[tuple[str, str]], str, int]:
    """(normalised entry, original line) per error, mypy's whole output, its exit code."""
    run = subprocess.run(
        [sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True
    )
    output = run.stdout + run.stderr
    errors = []
    for line in output.splitlines():
        match = ERROR.match(line)
        if match:
            errors.append((normalise(match["path"], match["message"]), line))
    return errors, output, run.returncode


def baseline_read() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def baseline_write(entries: Counter[str]) -> None:
    lines = sorted(entries.elements())
    BASELINE.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline")
    parser.add_argument("mypy_args", nargs="*", help="passed to mypy (default: its settings)")
    options = parser.parse_args()

    errors, output, code = mypy_errors(options.mypy_args)
    # Exit code 1 means "errors found"; anything else without error lines is mypy failing.
    if code not in (0, 1) or (code == 1 and not errors):
        print(output, end="")
        print("typecheck: mypy did not run to the end (see above)", file=sys.stderr)
        return 2
    current = Counter(entry for entry, _ in errors)
    baseline = baseline_read()

    if options.update:
        added, removed = current - baseline, baseline - current
        baseline_write(current)
        print(
            f"typecheck: baseline rewritten, {current.total()} errors "
            f"(was {baseline.total()}: {removed.total()} gone, {added.total()} added)"
        )
        if added and baseline:
            print("typecheck: errors added to the baseline (say why in the commit):")
            for entry in sorted(added.elements()):
                print(f"  {entry}")
        return 0

    new = current - baseline
    gone = baseline - current
    if new:
        # Show each new error where it is: for an entry seen n times more than the baseline
        # allows, every line of that entry is shown (mypy cannot tell which one is new).
        print(f"typecheck: {new.total()} error(s) not in the baseline:")
        for entry, line in errors:
            if entry in new:
                print(f"  {line}")
    if gone:
        print(
            f"typecheck: {gone.total()} baseline error(s) are fixed: run `make typecheck-baseline` "
            "and commit tools/mypy-baseline.txt so they cannot come back:"
        )
        for entry in sorted(gone.elements()):
            print(f"  {entry}")
    if new or gone:
        return 1
    print(f"typecheck: ok, {current.total()} errors, all in the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
