"""The epidemiological bulletin's XLSForm (epi_bulletin), written with `health.xlsforms`:

python -m hbmm.health.epi.xlsforms     # rewrite the shipped file
"""

from hbmm.health.xlsforms import FR, NOT_FUTURE, NOT_NEGATIVE, q, write_all

REGIONS = [
    ("MLI", "Mali (national)", "Mali (national)"),
    ("ML01", "Kayes", "Kayes"),
    ("ML02", "Koulikoro", "Koulikoro"),
    ("ML03", "Sikasso", "Sikasso"),
    ("ML04", "Ségou", "Segou"),
    ("ML05", "Mopti", "Mopti"),
    ("ML06", "Tombouctou", "Timbuktu"),
    ("ML07", "Gao", "Gao"),
    ("ML08", "Kidal", "Kidal"),
    ("ML09", "Bamako", "Bamako"),
    ("ML10", "Ménaka", "Menaka"),
]

EPI_BULLETIN = {
    "settings": [
        "Bulletin épidémiologique quotidien / Daily epidemiological bulletin",
        "epi_bulletin",
        "2020040101",
        "concat(${area}, ' ', ${bulletin_date})",
        FR,
    ],
    "survey": [
        q(
            "date",
            "bulletin_date",
            "Date du bulletin",
            "Bulletin date",
            required="yes",
            constraint=NOT_FUTURE,
        ),
        q("select_one area", "area", "Zone", "Area", required="yes", default="MLI"),
        q(
            "integer",
            "confirmed",
            "Cas confirmés (cumul)",
            "Confirmed cases (cumulative)",
            constraint=NOT_NEGATIVE,
        ),
        q(
            "integer",
            "recovered",
            "Guéris (cumul)",
            "Recovered (cumulative)",
            constraint=NOT_NEGATIVE,
        ),
        q("integer", "deaths", "Décès (cumul)", "Deaths (cumulative)", constraint=NOT_NEGATIVE),
        q(
            "integer",
            "tests",
            "Tests réalisés (cumul)",
            "Tests performed (cumulative)",
            constraint=NOT_NEGATIVE,
        ),
    ],
    "choices": [["area", code, fr, en] for code, fr, en in REGIONS],
}


FORMS = {"epi_bulletin": EPI_BULLETIN}

if __name__ == "__main__":
    for path in write_all(FORMS):
        print(path)
