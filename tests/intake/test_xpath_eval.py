"""The XPath evaluator the form-constraint tests rely on reads ODK's expressions as ODK does."""

import datetime as dt

import pytest

from tests.intake.xpath_eval import evaluate, translate

TODAY = dt.date.today()


@pytest.mark.parametrize(
    ("expression", "current", "values", "expected"),
    [
        (". >= 0 and . <= 100000", 5.0, {}, True),
        (". >= 0 and . <= 100000", -1.0, {}, False),
        (". >= 0 and . <= ${boys} + ${girls}", 4.0, {"boys": 3.0, "girls": 1.0}, True),
        (". >= 0 and . <= ${boys} + ${girls}", 5.0, {"boys": 3.0, "girls": 1.0}, False),
        (". <= ${total}", 5.0, {"total": ""}, False),  # empty is NaN: no comparison holds
        (". <= today()", TODAY, {}, True),
        (". <= today()", TODAY + dt.timedelta(days=1), {}, False),
        ("regex(., '^ML[0-9]{4}$')", "ML0103", {}, True),
        ("regex(., '^ML[0-9]{4}$')", "ML01", {}, False),
        ("not(selected(., 'none') and count-selected(.) > 1)", "none quarantine", {}, False),
        ("not(selected(., 'none') and count-selected(.) > 1)", "none", {}, True),
        ("${girls} = '' or ${parts} = .", 14.0, {"girls": "", "parts": 3.0}, True),
        ("${site} = ''", None, {"site": "BCP-GOGUI"}, False),
    ],
)
def test_expressions(expression, current, values, expected):
    assert bool(evaluate(expression, current=current, values=values)) is expected


def test_choice_filters_read_the_row():
    row = {"name": "SN01", "country": "SEN", "level": "1"}
    assert evaluate("country = ${c}", values={"c": "SEN"}, item=row)
    assert not evaluate("country = ${c}", values={"c": "MLI"}, item=row)
    assert evaluate("level < 2", item=row) and not evaluate("level = 2", item=row)


def test_an_unknown_function_is_an_error_not_a_pass():
    with pytest.raises(ValueError, match="cannot read"):
        evaluate("jr:choice-name(., 'x')", current="a")
    with pytest.raises(TypeError):  # a name that is no function is read as a row's column
        evaluate("format-date(., 'x')", current="a")
    with pytest.raises(ValueError, match="cannot read"):
        translate(". @ 1")
