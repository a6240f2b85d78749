"""French typography: a narrow no-break space (U+202F) before « : ; ! ? % » and inside
« guillemets », and the typographic apostrophe (’) between letters.

The catalogues are fixed once by tools/french_typography.py (which uses these rules); text that
does not come from a catalogue — the French labels of the shipped XLSForms shown on the import
and quarantine pages — goes through `french` when it is shown.
"""

import re

NNBSP = "\u202f"
# A plain or no-break space before a high sign; a sign glued to a word (not in 12:30, http://,
# %(n)s:%(m)s); a literal percent (%% in python-format strings) after a space.
_SPACE_BEFORE = re.compile(r"[ \u00a0](?=[:;!?»])")
_GLUED = re.compile(r"(?<=[A-Za-zÀ-ÿ)»])(?=[;!?](?:\s|$))|(?<=[A-Za-zÀ-ÿ»])(?=:(?:\s|$))")
_PERCENT = re.compile(r"[ \u00a0](?=%%|%(?![(\w]))")
_OPENING = re.compile(r"«[ \u00a0\u202f]?")
_APOSTROPHE = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")


def french(text: str) -> str:
    """`text` with French typography ("Sexe ?" -> "Sexe\u202f?")."""
    text = _SPACE_BEFORE.sub(NNBSP, text)
    text = _GLUED.sub(NNBSP, text)
    text = _PERCENT.sub(NNBSP, text)
    text = _OPENING.sub("«" + NNBSP, text)
    return _APOSTROPHE.sub("’", text)
