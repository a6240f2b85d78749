"""The epidemiological bulletin's XLSForm (epi_bulletin), written with `health.xlsforms`:

python -m hbmm.health.epi.xlsforms     # rewrite the shipped file
"""

from hbmm.health.xlsforms import AT_LEAST_0, FR, NOT_FUTURE, NOT_NEGATIVE, q, write_all
from hbmm.intake.form_messages import said

EPI_BULLETIN = {
    "settings": [
        "Bulletin épidémiologique quotidien / Daily epidemiological bulletin",
        "epi_bulletin",
        "2026120601",
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
        q(
            "select_one_from_file areas.csv",
            "area",
            "Zone (le pays ou une région)",
            "Area (the country or a region)",
            required="yes",
            choice_filter="level < 2",
            hint=("Les zones de votre périmètre.", "The areas of your scope."),
        ),
        q(
            "integer",
            "confirmed",
            "Cas confirmés (cumul)",
            "Confirmed cases (cumulative)",
            constraint=NOT_NEGATIVE,
            # One figure at least: confirmed is asked for when the others are left empty.
            required="${recovered} = '' and ${deaths} = '' and ${tests} = ''",
            required_message=said(("Give at least one figure.", None)),
        ),
        q(
            "integer",
            "recovered",
            "Guéris (cumul)",
            "Recovered (cumulative)",
            constraint=(
                ". >= 0 and (${confirmed} = '' or ${deaths} = '' or . + ${deaths} <= ${confirmed})",
                *said(AT_LEAST_0, ("Recovered plus deaths exceed the confirmed cases.", None)),
            ),
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
    "choices": [],
}


FORMS = {"epi_bulletin": EPI_BULLETIN}

if __name__ == "__main__":
    for path in write_all(FORMS):
        print(path)
