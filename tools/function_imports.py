"""Hold the imports inside functions of src/ (ruff's PLC0415) to what is written down.

    python tools/function_imports.py            # run by `make lint`
    python tools/function_imports.py --update   # rewrite the baseline block of pyproject.toml
                                                # (after imports were moved, or files renamed)

An import inside a function hides a dependency (and sometimes a cycle) from whoever reads the
head of the file. One stays only with a reason:
- `# noqa: PLC0415` on the import, with a comment saying why: on the line itself after the noqa,
  or on the line(s) just above the import (or above its group of imports). Reasons that hold:
  a heavy library only some paths need (pyxform, WeasyPrint, Playwright), Django's app loading
  (`AppConfig.ready()` importing models), a cycle being taken apart.
- or, in a file that another change is rewriting, a per-file ignore in pyproject.toml
  ([tool.ruff.lint.per-file-ignores]) ending in `# baseline: N to be moved`: the file keeps
  exactly N such imports; fewer fails too, asking to lower N (or drop the entry), so the
  baseline only shrinks.
This script checks both (ruff alone cannot tell a stale `noqa` or a baseline that grew) and
prints the counts.
"""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
BLOCK = re.compile(
    r"(?P<start># >>> function-imports baseline[^\n]*\n)(?P<body>.*?)(?P<end># <<<[^\n]*\n)",
    re.DOTALL,
)
BASELINE_ENTRY = re.compile(
    r'^"(?P<path>[^"]+)"\s*=\s*\[[^\]]*"PLC0415"[^\]]*\]\s*#\s*baseline:\s*(?P<n>\d+)\b'
)
NOQA = re.compile(r"#\s*noqa:[^#]*\bPLC0415\b(?P<after>.*)$")
IMPORT = re.compile(r"^\s*(from\s+\S+\s+)?import\s")


def violations() -> list[tuple[str, int]]:
    """Every import inside a function in src/, noqa or per-file ignore notwithstanding."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "src",
            "--select",
            "PLC0415",
            "--ignore-noqa",
            "--config",
            "lint.per-file-ignores = {}",
            "--output-format",
            "json",
            "--no-cache",
            "--exit-zero",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(
        (Path(v["filename"]).resolve().relative_to(ROOT).as_posix(), v["location"]["row"])
        for v in json.loads(run.stdout)
    )


def baseline() -> dict[str, int]:
    text = PYPROJECT.read_text(encoding="utf-8")
    return {
        m["path"]: int(m["n"])
        for m in (BASELINE_ENTRY.match(line.strip()) for line in text.splitlines())
        if m
    }


def has_reason(lines: list[str], index: int) -> bool:
    """A comment after the noqa, or a comment line above the import or its group of imports."""
    match = NOQA.search(lines[index])
    if match and match["after"].strip(" -—:()"):
        return True
    above = index - 1
    while above >= 0 and IMPORT.match(lines[above]) and NOQA.search(lines[above]):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def baseline_write(counts: Counter[str]) -> None:
    text = PYPROJECT.read_text(encoding="utf-8")
    body = "".join(
        f'"{path}" = ["PLC0415"]  # baseline: {n} to be moved\n'
        for path, n in sorted(counts.items())
    )
    match = BLOCK.search(text)
    if match is None:
        raise SystemExit("pyproject.toml has no '# >>> function-imports baseline' block")
    PYPROJECT.write_text(
        text[: match.start("body")] + body + text[match.end("body") :], encoding="utf-8"
    )


def main() -> int:
    update = sys.argv[1:] == ["--update"]
    found = violations()
    allowed = baseline()
    problems: list[str] = []
    unexcused: Counter[str] = Counter()
    excused = 0
    reported = set(found)

    for path, row in found:
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        if NOQA.search(lines[row - 1]):
            excused += 1
            if not has_reason(lines, row - 1):
                problems.append(
                    f"{path}:{row}: `# noqa: PLC0415` without a reason (write why, on that line or just above)"
                )
        else:
            unexcused[path] += 1

    for path in sorted(Path(ROOT, "src").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if NOQA.search(line) and (relative, row) not in reported:
                problems.append(f"{relative}:{row}: `# noqa: PLC0415` on no import in a function")

    if update:
        before = sum(allowed.values())
        baseline_write(unexcused)
        print(f"baseline rewritten: {sum(unexcused.values())} imports (was {before})")
        allowed = dict(unexcused)

    for path, count in sorted(unexcused.items()):
        if path not in allowed:
            problems.append(
                f"{path}: {count} import(s) inside functions: move them to the top of the "
                "file, or give each a reason (`# noqa: PLC0415` and a comment)"
            )
        elif count > allowed[path]:
            problems.append(
                f"{path}: {count} imports inside functions, the baseline allows {allowed[path]}"
            )
    for path, n in sorted(allowed.items()):
        count = unexcused.get(path, 0)
        if count < n:
            fix = f"lower its baseline to {count}" if count else "remove its per-file ignore"
            problems.append(f"{path}: {count} imports inside functions (baseline {n}): {fix}")

    print(
        f"function-level imports in src/: {len(found)} "
        f"({excused} with a written reason, {sum(unexcused.values())} in the baseline of "
        f"{len(allowed)} files being rewritten)"
    )
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
