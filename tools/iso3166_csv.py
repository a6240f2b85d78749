"""Write src/hbmm/places/data/iso3166-countries.csv, HBMM's one list of countries, from the
ISO 3166-1 list of the Debian/Ubuntu `iso-codes` package (names in English, French through its
gettext catalogue), keeping the names HBMM's field teams use where they differ.

    python tools/iso3166_csv.py            # needs /usr/share/iso-codes and its French catalogue

Columns: iso3, name_fr, name_en (the names shown), other_names (also accepted when matching a
name ignoring case and accents, separated by `|`). Run it again only when ISO 3166 changes.
"""

import csv
import gettext
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/hbmm/places/data/iso3166-countries.csv"
ISO = Path("/usr/share/iso-codes/json/iso_3166-1.json")

# The names the flow monitoring and the field forms used before (West and Central Africa first):
# they stay the names shown, the ISO names are accepted too.
USUAL = {
    "DZA": ("Algérie", "Algeria"),
    "BOL": ("Bolivie", "Bolivia"),
    "CPV": ("Cabo Verde", "Cabo Verde"),
    "COG": ("Congo", "Congo"),
    "GNQ": ("Guinée équatoriale", "Equatorial Guinea"),
    "CAF": ("République centrafricaine", "Central African Republic"),
    "COD": ("République démocratique du Congo", "Democratic Republic of the Congo"),
    "GMB": ("Gambie", "Gambia"),
    "LBR": ("Libéria", "Liberia"),
    "NGA": ("Nigéria", "Nigeria"),
    "STP": ("Sao Tomé-et-Principe", "Sao Tome and Principe"),
    "SYR": ("Syrie", "Syria"),
    "TZA": ("Tanzanie", "Tanzania"),
    "TUR": ("Turquie", "Turkey"),
    "IRN": ("Iran", "Iran"),
    "KOR": ("Corée du Sud", "South Korea"),
    "PRK": ("Corée du Nord", "North Korea"),
    "RUS": ("Russie", "Russia"),
    "VEN": ("Venezuela", "Venezuela"),
    "VNM": ("Viet Nam", "Viet Nam"),
    "LAO": ("Laos", "Laos"),
    "MDA": ("Moldavie", "Moldova"),
    "PSE": ("Palestine", "Palestine"),
    "TWN": ("Taïwan", "Taiwan"),
    "FSM": ("Micronésie", "Micronesia"),
}
EXTRA = {"CIV": ("Ivory Coast", "RCI"), "GBR": ("UK",), "USA": ("USA", "US")}


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def main() -> int:
    fr = gettext.translation("iso_3166-1", "/usr/share/locale", languages=["fr"])
    rows = []
    for c in json.loads(ISO.read_text())["3166-1"]:
        en_names = [c.get("common_name"), c["name"], c.get("official_name")]
        en_names = [n for n in en_names if n]
        fr_names = [fr.gettext(n) for n in en_names]
        name_fr, name_en = USUAL.get(c["alpha_3"], (fr_names[0], en_names[0]))
        others = []
        for name in [*fr_names, *en_names, *EXTRA.get(c["alpha_3"], ())]:
            if norm(name) not in {norm(name_fr), norm(name_en), *map(norm, others)}:
                others.append(name)
        rows.append([c["alpha_3"], name_fr, name_en, "|".join(others)])
    rows.sort()
    seen: dict[str, str] = {}
    for iso3, name_fr, name_en, others in rows:
        for name in (iso3, name_fr, name_en, *filter(None, others.split("|"))):
            key = norm(name)
            if seen.setdefault(key, iso3) != iso3:
                print(f"ambiguous name {name!r}: {seen[key]} and {iso3}", file=sys.stderr)
                return 1
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["iso3", "name_fr", "name_en", "other_names"])
        writer.writerows(rows)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} countries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
