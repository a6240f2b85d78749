"""Automatic classification of a screened traveller against a case definition.

A case definition is data (health.CaseDefinition.rules), so a new version is added without
code. Its rules are a list of clauses; a traveller is a suspect case when every condition of
at least one clause holds::

    {
      "fever_threshold_c": 38.0,
      "clauses": [
        {"code": "A", "label_en": "...", "label_fr": "...",
         "all": [{"fever": true},
                 {"symptoms": ["cough", "shortness_of_breath"], "min": 1},
                 {"travel": ["*"]}]},
        {"code": "B", "label_en": "...", "label_fr": "...",
         "all": [{"symptoms": ["fever", "cough", ...], "min": 1}, {"contact": true}]}
      ]
    }

Conditions:
- ``{"fever": true}``: measured temperature >= fever_threshold_c, or fever reported;
- ``{"symptoms": [...], "min": n}``: at least n of these symptoms (``"fever"`` in the list
  also counts a measured temperature at or above the threshold);
- ``{"travel": ["GIN", "SEN"]}``: origin country or a country visited in the last 14 days is
  one of these; ``["*"]`` means any traveller (every screened person is travelling);
- ``{"contact": true}``: contact with a sick person (unknown counts as no);
- ``{"temperature_at_least": 39.0}``: measured temperature at or above a value.
"""

from dataclasses import dataclass, field
from decimal import Decimal

SYMPTOMS = (
    "fever",
    "cough",
    "shortness_of_breath",
    "sore_throat",
    "runny_nose",
    "headache",
    "fatigue",
    "muscle_pain",
    "diarrhoea",
    "vomiting",
    "loss_taste_smell",
    "other",
)
CONDITION_KINDS = ("fever", "symptoms", "travel", "contact", "temperature_at_least")

WHO_2020_CODE = "who-2020-03-20"
# WHO, "Global surveillance for COVID-19 caused by human infection with COVID-19 virus",
# interim guidance of 20 March 2020, suspect case definitions A and B. Definition C (severe
# acute respiratory illness requiring hospitalisation) cannot be assessed at a point of entry.
WHO_2020_RULES = {
    "fever_threshold_c": 38.0,
    "clauses": [
        {
            "code": "A",
            "label_en": "Acute respiratory illness (fever and cough or shortness of breath) "
            "and travel in the last 14 days",
            "label_fr": "Infection respiratoire aiguë (fièvre et toux ou difficulté à respirer) "
            "et voyage dans les 14 derniers jours",
            "all": [
                {"fever": True},
                {"symptoms": ["cough", "shortness_of_breath"], "min": 1},
                {"travel": ["*"]},
            ],
        },
        {
            "code": "B",
            "label_en": "Any acute respiratory illness and contact with a sick person "
            "in the last 14 days",
            "label_fr": "Toute infection respiratoire aiguë et contact avec une personne malade "
            "dans les 14 derniers jours",
            "all": [
                {
                    "symptoms": [
                        "fever",
                        "cough",
                        "shortness_of_breath",
                        "sore_throat",
                        "runny_nose",
                    ],
                    "min": 1,
                },
                {"contact": True},
            ],
        },
    ],
}


@dataclass(frozen=True)
class Facts:
    temperature: Decimal | float | None = None
    symptoms: tuple[str, ...] = ()
    contact: bool | None = None
    origin_country: str = ""
    countries_visited: tuple[str, ...] = ()


@dataclass
class Classification:
    is_suspect: bool
    matched: list[str] = field(default_factory=list)  # codes of the clauses that hold
    has_fever: bool = False
    has_symptoms: bool = False


def validate_rules(rules) -> list[str]:
    """Every problem in a rules document (empty when it can be used)."""
    problems: list[str] = []
    if not isinstance(rules, dict):
        return ["The rules must be an object."]
    threshold = rules.get("fever_threshold_c")
    if not isinstance(threshold, int | float) or not 35 <= threshold <= 42:
        problems.append("fever_threshold_c must be a number between 35 and 42.")
    clauses = rules.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        return [*problems, "clauses must be a non-empty list."]
    codes = set()
    for index, clause in enumerate(clauses, start=1):
        where = f"clause {index}"
        if not isinstance(clause, dict):
            problems.append(f"{where}: must be an object.")
            continue
        code = clause.get("code")
        if not code or code in codes:
            problems.append(f"{where}: needs a unique code.")
        codes.add(code)
        conditions = clause.get("all")
        if not isinstance(conditions, list) or not conditions:
            problems.append(f"{where}: 'all' must be a non-empty list of conditions.")
            continue
        for condition in conditions:
            if not isinstance(condition, dict):
                problems.append(f"{where}: a condition must be an object.")
                continue
            kinds = [k for k in condition if k in CONDITION_KINDS]
            if len(kinds) != 1:
                problems.append(f"{where}: unknown condition {condition}.")
                continue
            kind = kinds[0]
            value = condition[kind]
            if kind == "symptoms":
                if not isinstance(value, list) or not value or set(value) - set(SYMPTOMS):
                    problems.append(f"{where}: symptoms must list codes among {SYMPTOMS}.")
                minimum = condition.get("min", 1)
                if not isinstance(minimum, int) or minimum < 1:
                    problems.append(f"{where}: min must be a whole number of at least 1.")
            elif kind == "travel":
                if not isinstance(value, list) or not value:
                    problems.append(f"{where}: travel must list ISO3 country codes or '*'.")
            elif kind == "temperature_at_least":
                if not isinstance(value, int | float):
                    problems.append(f"{where}: temperature_at_least must be a number.")
            elif value is not True:
                problems.append(f"{where}: {kind} must be true.")
    return problems


def classify(rules: dict, facts: Facts) -> Classification:
    threshold = Decimal(str(rules["fever_threshold_c"]))
    temperature = None if facts.temperature is None else Decimal(str(facts.temperature))
    measured_fever = temperature is not None and temperature >= threshold
    symptoms = set(facts.symptoms)
    if measured_fever:
        symptoms.add("fever")
    places = {c.upper() for c in (facts.origin_country, *facts.countries_visited) if c}

    def holds(condition: dict) -> bool:
        if "fever" in condition:
            return "fever" in symptoms
        if "symptoms" in condition:
            return len(symptoms & set(condition["symptoms"])) >= condition.get("min", 1)
        if "travel" in condition:
            wanted = {c.upper() for c in condition["travel"]}
            return "*" in wanted or bool(places & wanted)
        if "contact" in condition:
            return facts.contact is True
        if "temperature_at_least" in condition:
            return temperature is not None and temperature >= Decimal(
                str(condition["temperature_at_least"])
            )
        return False

    matched = [c["code"] for c in rules["clauses"] if all(holds(x) for x in c["all"])]
    return Classification(
        is_suspect=bool(matched),
        matched=matched,
        has_fever="fever" in symptoms,
        has_symptoms=bool(symptoms),
    )
