"""Countries seen in the flow monitoring of West and Central Africa: ISO 3166-1 alpha-3 codes
with their French and English names (nationalities, previous and next countries).

`country_code("Guinée")`, `country_code("gin")` and `country_code("Guinea")` all give "GIN".
"""

from hbmm.intake.parsing import normalise_name

COUNTRIES: dict[str, tuple[str, str]] = {
    # Africa
    "DZA": ("Algérie", "Algeria"),
    "AGO": ("Angola", "Angola"),
    "BEN": ("Bénin", "Benin"),
    "BWA": ("Botswana", "Botswana"),
    "BFA": ("Burkina Faso", "Burkina Faso"),
    "BDI": ("Burundi", "Burundi"),
    "CPV": ("Cabo Verde", "Cabo Verde"),
    "CMR": ("Cameroun", "Cameroon"),
    "CAF": ("République centrafricaine", "Central African Republic"),
    "TCD": ("Tchad", "Chad"),
    "COM": ("Comores", "Comoros"),
    "COG": ("Congo", "Congo"),
    "COD": ("République démocratique du Congo", "Democratic Republic of the Congo"),
    "CIV": ("Côte d'Ivoire", "Côte d'Ivoire"),
    "DJI": ("Djibouti", "Djibouti"),
    "EGY": ("Égypte", "Egypt"),
    "GNQ": ("Guinée équatoriale", "Equatorial Guinea"),
    "ERI": ("Érythrée", "Eritrea"),
    "SWZ": ("Eswatini", "Eswatini"),
    "ETH": ("Éthiopie", "Ethiopia"),
    "GAB": ("Gabon", "Gabon"),
    "GMB": ("Gambie", "Gambia"),
    "GHA": ("Ghana", "Ghana"),
    "GIN": ("Guinée", "Guinea"),
    "GNB": ("Guinée-Bissau", "Guinea-Bissau"),
    "KEN": ("Kenya", "Kenya"),
    "LSO": ("Lesotho", "Lesotho"),
    "LBR": ("Libéria", "Liberia"),
    "LBY": ("Libye", "Libya"),
    "MDG": ("Madagascar", "Madagascar"),
    "MWI": ("Malawi", "Malawi"),
    "MLI": ("Mali", "Mali"),
    "MRT": ("Mauritanie", "Mauritania"),
    "MUS": ("Maurice", "Mauritius"),
    "MAR": ("Maroc", "Morocco"),
    "MOZ": ("Mozambique", "Mozambique"),
    "NAM": ("Namibie", "Namibia"),
    "NER": ("Niger", "Niger"),
    "NGA": ("Nigéria", "Nigeria"),
    "RWA": ("Rwanda", "Rwanda"),
    "STP": ("Sao Tomé-et-Principe", "Sao Tome and Principe"),
    "SEN": ("Sénégal", "Senegal"),
    "SYC": ("Seychelles", "Seychelles"),
    "SLE": ("Sierra Leone", "Sierra Leone"),
    "SOM": ("Somalie", "Somalia"),
    "ZAF": ("Afrique du Sud", "South Africa"),
    "SSD": ("Soudan du Sud", "South Sudan"),
    "SDN": ("Soudan", "Sudan"),
    "TZA": ("Tanzanie", "Tanzania"),
    "TGO": ("Togo", "Togo"),
    "TUN": ("Tunisie", "Tunisia"),
    "UGA": ("Ouganda", "Uganda"),
    "ZMB": ("Zambie", "Zambia"),
    "ZWE": ("Zimbabwe", "Zimbabwe"),
    # Elsewhere (destinations and nationalities met at the points)
    "FRA": ("France", "France"),
    "ESP": ("Espagne", "Spain"),
    "ITA": ("Italie", "Italy"),
    "DEU": ("Allemagne", "Germany"),
    "BEL": ("Belgique", "Belgium"),
    "PRT": ("Portugal", "Portugal"),
    "GBR": ("Royaume-Uni", "United Kingdom"),
    "USA": ("États-Unis", "United States"),
    "CAN": ("Canada", "Canada"),
    "CHN": ("Chine", "China"),
    "IND": ("Inde", "India"),
    "PAK": ("Pakistan", "Pakistan"),
    "BGD": ("Bangladesh", "Bangladesh"),
    "LBN": ("Liban", "Lebanon"),
    "SYR": ("Syrie", "Syria"),
    "TUR": ("Turquie", "Turkey"),
    "SAU": ("Arabie saoudite", "Saudi Arabia"),
}

_BY_NAME: dict[str, str] = {}
for _code, (_fr, _en) in COUNTRIES.items():
    for _name in (_code, _fr, _en):
        _BY_NAME.setdefault(normalise_name(_name), _code)
_BY_NAME.update({normalise_name(n): c for n, c in [("Ivory Coast", "CIV"), ("RCI", "CIV")]})


def country_code(value: str) -> str | None:
    """The ISO3 code for a code or a French/English country name; None if unknown."""
    return _BY_NAME.get(normalise_name(value or ""))


def country_name(code: str, *, french: bool = True) -> str:
    names = COUNTRIES.get(code)
    if names is None:
        return code
    return names[0] if french else names[1]
