"""What a French reader must not meet on a page or in the report: English text from our
catalogues, a noun in the plural after 0 or 1, a high sign without its narrow no-break space.
The checks of tests/reports/test_demo_report.py::test_every_page_and_the_report_read_as_french."""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib

SRC = Path(__file__).resolve().parents[2] / "src" / "hbmm"
# Words ending in s that are singular or not nouns: "1 cas", "0 sur 5", "1 des 5 vérifiés".
INVARIABLE = {"cas", "mois", "fois", "des", "dans", "sans", "plus", "très", "après", "depuis"}
PLURAL_AFTER_ONE = re.compile(r"(?<![\d\u202f\xa0.,/-])[01] ([a-zéèêàâîôûç’]+s)\b")
SPACE_BEFORE_SIGN = re.compile(r"\S[ \xa0][:;!?](?=\s|$)|\d[ \xa0]%")
GLUED_SIGN = re.compile(r"[A-Za-zÀ-ÿ»)][:;!?](?=\s|$)|\d%")


class _Text(HTMLParser):
    """The text a reader sees: no script, no style."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


@cache
def english_sentences() -> frozenset[str]:
    """Our English msgids of three words or more that French translates differently, with no
    placeholder (text found as it is)."""
    found = set()
    for path in SRC.glob("**/locale/fr/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            text = entry.msgid
            if entry.msgid_plural or "%" in text or "{" in text or "<" in text:
                continue
            if len(text.split()) >= 3 and entry.msgstr and entry.msgstr != text:
                found.add(text)
    return frozenset(found)


def problems(text: str, *, where: str) -> list[str]:
    found = [f"{where}: English {s!r}" for s in english_sentences() if s in text]
    for match in PLURAL_AFTER_ONE.finditer(text):
        if match.group(1) not in INVARIABLE:
            found.append(f"{where}: plural after 0 or 1: {_around(text, match)!r}")
    for pattern, what in ((SPACE_BEFORE_SIGN, "plain space"), (GLUED_SIGN, "no space")):
        for match in pattern.finditer(text):
            found.append(f"{where}: {what} before a high sign: {_around(text, match)!r}")
    return found


ENGLISH_PLURAL_AFTER_ONE = re.compile(r"(?<![\d.,/-])1 ([a-z]+s)\b")
ENGLISH_INVARIABLE = {"is", "was", "has", "of", "as", "this", "its"}


def english_problems(text: str, *, where: str) -> list[str]:
    """English takes the singular after exactly 1 ("1 point", "0 points", "1.5 hours")."""
    return [
        f"{where}: plural after 1: {_around(text, match)!r}"
        for match in ENGLISH_PLURAL_AFTER_ONE.finditer(text)
        if match.group(1) not in ENGLISH_INVARIABLE
    ]


def _around(text: str, match) -> str:
    return text[max(0, match.start() - 30) : match.end() + 10]
