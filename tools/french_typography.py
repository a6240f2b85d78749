"""French typography in the French catalogues: a narrow no-break space (U+202F) before « : ; ! ? % »
and inside « guillemets », and the typographic apostrophe (’) between letters.

    python tools/french_typography.py          # rewrite the catalogues, then `make messages`
    python tools/french_typography.py --check  # list the entries that break the rules; exit 1

tests/web/test_i18n.py checks the same rules (`problems`), so a catalogue written by hand or
merged from a branch is caught; this script fixes it at once.
"""

import sys
from pathlib import Path

import polib

from hbmm.typography import french

SRC = Path(__file__).resolve().parents[1] / "src" / "hbmm"
# The rules themselves live with the code that also applies them at run time.
fixed = french


def catalogues() -> list[Path]:
    return [
        *sorted(SRC.glob("*/locale/fr/LC_MESSAGES/django.po")),
        SRC / "locale/fr/LC_MESSAGES/django.po",
    ]


def _translations(entry) -> list[tuple[object, str]]:
    if entry.msgid_plural:
        return [(k, v) for k, v in entry.msgstr_plural.items()]
    return [(None, entry.msgstr)]


def problems(path: Path) -> list[str]:
    found = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        for _key, text in _translations(entry):
            if text and fixed(text) != text:
                found.append(f"{path.parents[3].name}: {text!r} -> {fixed(text)!r}")
    return found


def rewrite(path: Path) -> int:
    po = polib.pofile(str(path), wrapwidth=79)
    changed = 0
    for entry in po:
        for key, text in _translations(entry):
            if text and fixed(text) != text:
                changed += 1
                if key is None:
                    entry.msgstr = fixed(text)
                else:
                    entry.msgstr_plural[key] = fixed(text)
    if changed:
        po.save(str(path))
    return changed


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = [p for path in catalogues() for p in problems(path)]
        print("\n".join(found))
        return 1 if found else 0
    total = sum(rewrite(path) for path in catalogues())
    print(f"{total} French entries rewritten; now run `make messages`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
