"""A small evaluator of the ODK XPath our XLSForms use (constraints, required, relevant,
calculations), to check a form's rules on sample values where Enketo is not at hand.

It reads the survey sheet of a shipped .xlsx and evaluates expressions with XPath 1.0's
comparison rules as ODK applies them: a number compared with a string compares numbers (an
empty value is NaN: every comparison is false), dates compare as dates. Functions: regex,
today, now, selected, count-selected, contains, not, string-length, true, false. Anything else
fails (ValueError, TypeError): extend it here rather than skip a rule.
"""

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[a-z_0-9]+\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)|(?P<name>[A-Za-z_][A-Za-z_0-9-]*)|(?P<dot>\.))"
)
FUNCTIONS = {
    "regex": "f_regex",
    "today": "f_today",
    "now": "f_now",
    "selected": "f_selected",
    "count-selected": "f_count_selected",
    "contains": "f_contains",
    "not": "f_not",
    "string-length": "f_string_length",
    "true": "f_true",
    "false": "f_false",
}
WORDS = {"and": " and ", "or": " or ", "div": " / ", "mod": " % "}


def _number(value) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return math.nan


def _comparable(a, b):
    """The pair as XPath compares it: dates as dates, else numbers when either side is one or
    the operator is an ordering, else strings."""
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        if a in ("", None) or b in ("", None):
            return None
        return (_as_date(a), _as_date(b))
    return (_number(a), _number(b))


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value)
    return dt.datetime.fromisoformat(text) if "T" in text else dt.datetime.fromisoformat(text[:10])


class X:
    """A value inside an expression, with XPath's operators."""

    def __init__(self, value):
        self.value = value.value if isinstance(value, X) else value

    def _order(self, other, test) -> bool:
        pair = _comparable(self.value, X(other).value)
        if pair is None:
            return False
        a, b = pair
        if isinstance(a, float) and (math.isnan(a) or math.isnan(b)):
            return False
        return test(a, b)

    def __lt__(self, other):
        return self._order(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._order(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._order(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._order(other, lambda a, b: a >= b)

    def __eq__(self, other):
        other = X(other).value
        if isinstance(self.value, bool) or isinstance(other, bool):
            return bool(self.value) == bool(other)
        if isinstance(self.value, int | float) or isinstance(other, int | float):
            return self._order(other, lambda a, b: a == b)
        if isinstance(self.value, dt.date) or isinstance(other, dt.date):
            return self._order(other, lambda a, b: a == b)
        return str(self.value) == str(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(str(self.value))

    def __add__(self, other):
        return X(_number(self.value) + _number(X(other).value))

    def __sub__(self, other):
        return X(_number(self.value) - _number(X(other).value))

    def __mul__(self, other):
        return X(_number(self.value) * _number(X(other).value))

    def __bool__(self):
        if isinstance(self.value, str):
            return self.value != ""
        if isinstance(self.value, float):
            return not math.isnan(self.value) and self.value != 0
        return bool(self.value)


def translate(expression: str) -> str:
    """The expression as Python over `X` values (`cur`, `v(name)`, `item(name)`)."""
    out, pos = [], 0
    expression = expression.strip()
    while pos < len(expression):
        match = TOKEN.match(expression, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read {expression[pos:]!r} in {expression!r}")
        pos = match.end()
        kind, text = match.lastgroup, match.group(match.lastgroup)
        if kind == "ref":
            out.append(f"v({text[2:-1]!r})")
        elif kind == "str":
            out.append(f"X({text!r})".replace("X(\"'", "X('").replace("'\")", "')"))
        elif kind == "num":
            out.append(f"X({text})")
        elif kind == "dot":
            out.append("cur")
        elif kind == "op":
            out.append({"=": "=="}.get(text, text))
        elif text in WORDS:
            out.append(WORDS[text])
        elif text in FUNCTIONS:
            out.append(FUNCTIONS[text])
        else:
            out.append(f"item({text!r})")
    return " ".join(out)


def f_regex(value, pattern) -> bool:
    return re.search(str(X(pattern).value), str(X(value).value)) is not None


def _choices(value) -> list[str]:
    return str(X(value).value).split()


NAMESPACE = {
    "X": X,
    "f_regex": f_regex,
    "f_today": lambda: X(dt.date.today()),
    "f_now": lambda: X(dt.datetime.now()),
    "f_selected": lambda value, choice: str(X(choice).value) in _choices(value),
    "f_count_selected": lambda value: X(len(_choices(value))),
    "f_contains": lambda a, b: str(X(b).value) in str(X(a).value),
    "f_not": lambda a: not bool(X(a)),
    "f_string_length": lambda a: X(len(str(X(a).value))),
    "f_true": lambda: True,
    "f_false": lambda: False,
}


def evaluate(expression: str, *, current=None, values: dict | None = None, item=None):
    """Evaluate `expression` with `.` = `current` and `${name}` = `values[name]`."""
    values = values or {}
    scope = NAMESPACE | {
        "cur": X("" if current is None else current),
        "v": lambda name: X(values.get(name, "")),
        "item": lambda name: X((item or {}).get(name, "")),
    }
    return eval(translate(expression), scope)  # noqa: S307 - our own translated expression


@dataclass
class Question:
    name: str
    type: str
    required: str = ""
    relevant: str = ""
    constraint: str = ""
    calculation: str = ""
    file: str = ""  # select_one_from_file: the media file
    choice_filter: str = ""
    messages: dict[str, str] = field(default_factory=dict)  # language -> constraint message


@dataclass
class Survey:
    questions: dict[str, Question]
    media: dict[str, list[dict]] = field(default_factory=dict)  # file name -> its rows

    def values(self, answers: dict) -> dict:
        """The answers typed as the form types them (dates, numbers), with the calculations
        filled in (in the order of the form)."""
        values = {name: self._typed(name, value) for name, value in answers.items()}
        for q in self.questions.values():
            if q.calculation:
                result = X(evaluate(q.calculation, values=values)).value
                values[q.name] = int(result) if float(result).is_integer() else result
        return values

    def _typed(self, name: str, value):
        q = self.questions.get(name)
        if q is None or value in ("", None):
            return value
        try:
            if q.type == "date":
                return dt.date.fromisoformat(str(value)[:10])
            if q.type == "dateTime":
                return dt.datetime.fromisoformat(str(value))
            if q.type in ("integer", "decimal"):
                return _number(value)
        except ValueError:
            return value
        return value

    def refusal(self, name: str, answers: dict) -> str | None:
        """Why the form refuses the answer to `name` ("required", "constraint", or "choice":
        not among the rows of its media file that its choice filter keeps), or None."""
        q = self.questions[name]
        values = self.values(answers)
        if q.relevant and not evaluate(q.relevant, values=values):
            return None  # not asked, not sent
        value = values.get(name, "")
        raw = answers.get(name, "")
        if value in ("", None):
            required = q.required.strip().lower()
            needed = required in ("yes", "true()") or (
                required not in ("", "no", "false()") and evaluate(required, values=values)
            )
            return "required" if needed else None
        if q.type == "integer" and not re.fullmatch(r"-?\d+", str(raw)):
            return "constraint"
        if q.type == "decimal" and not re.fullmatch(r"-?\d+(\.\d+)?", str(raw)):
            return "constraint"
        if q.file:
            offered = [
                row["name"]
                for row in self.media[q.file]
                if not q.choice_filter or evaluate(q.choice_filter, values=values, item=row)
            ]
            if str(value) not in offered:
                return "choice"
        if q.constraint and not evaluate(q.constraint, current=value, values=values):
            return "constraint"
        return None


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def survey_read(path: Path, media: dict[str, bytes] | None = None) -> Survey:
    """The survey of an XLSForm; `media`: its media files' contents, for the choices they
    offer (a question from a file that is not given raises KeyError when probed)."""
    rows = list(load_workbook(path, read_only=True)["survey"].iter_rows(values_only=True))
    header = [str(h or "") for h in rows[0]]
    questions = {}
    for row in rows[1:]:
        cells = {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False)}
        if not cells.get("name") or cells.get("type", "").startswith(("begin", "end")):
            continue
        kind = cells.get("type", "").split()
        questions[cells["name"]] = Question(
            name=cells["name"],
            type=kind[0],
            file=kind[1] if kind[0].endswith("_from_file") else "",
            choice_filter=cells.get("choice_filter", ""),
            required=cells.get("required", ""),
            relevant=cells.get("relevant", ""),
            constraint=cells.get("constraint", ""),
            calculation=cells.get("calculation", ""),
            messages={
                "fr": cells.get("constraint_message::French (fr)", ""),
                "en": cells.get("constraint_message::English (en)", ""),
            },
        )
    return Survey(questions, {k: csv_rows(v) for k, v in (media or {}).items()})
