"""Comparing names as people write them: case, accents, spaces and punctuation ignored.

Used wherever a name typed by someone is matched to a known one: file columns (intake), choice
words, country names (places.countries), site names.
"""

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def normalise_name(name: str) -> str:
    """`"Côte d'Ivoire"` -> `"cotedivoire"`: lower case, accents, spaces and punctuation gone."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())
