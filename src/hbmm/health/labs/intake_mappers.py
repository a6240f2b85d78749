"""Intake mapper of the laboratories (registered by `labs.setup.ready()`).

| form id / import kind | what                                                                 |
|-----------------------|----------------------------------------------------------------------|
| lab_results           | a laboratory's result spreadsheet: sample id, date tested, result,    |
|                       | rejection reason (and, optionally, the date received)                 |

Every row is checked against its sample as the sample's page checks a step: the sample id must
be one the importer may see (else the row is quarantined, naming `sample_id`), the result one
of positive, negative, inconclusive or rejected (a rejection with its reason), the date tested
not in the future nor before the sample's last recorded step, and no result recorded yet. The
pipeline keeps each row's content hash, so importing the same file again adds nothing.
Column aliases and result words are data (`health/data/intake_aliases.json`).
"""

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.health.labs import selectors
from hbmm.health.labs.models import STEP_FIELDS, Sample, SampleResult
from hbmm.health.labs.services import (
    ResultRow,
    result_problems,
    sample_results_save_batch,
    step_problems,
)
from hbmm.intake.aliases import column_aliases, word_table
from hbmm.intake.cleaning import _raw, clean_datetime, clean_text, clean_word
from hbmm.intake.mappers import FieldError, Mapper, MappingError, items_by_context
from hbmm.periods import midnight
from hbmm.places.lookups import Lookups

ALIASES = Path(__file__).resolve().parents[1] / "data" / "intake_aliases.json"
RESULT_WORDS = word_table(ALIASES, "sample_result")


def _has_time(value) -> bool:
    """Whether a cell gives a time of day (2020-04-03 10:30) or only a date (2020-04-03, an
    Excel date cell at midnight)."""
    if isinstance(value, dt.datetime):
        return bool(value.hour or value.minute or value.second)
    if isinstance(value, dt.date | int | float):
        return False
    return len(str(value).strip()) > 10


def _moment(data: dict, name: str, errors: list, sample: Sample | None, *, required=False):
    """A step's time. A date without a time (laboratory registers keep dates) is that day at
    the time of the sample's latest step recorded on that day, or at midnight: a sample
    received at 10:00 and tested "2020-04-03" was not tested before it was received."""
    moment = clean_datetime(data, name, errors, required=required)
    if moment is None or sample is None or _has_time(_raw(data, name)):
        return moment
    same_day = [
        getattr(sample, f)
        for f in STEP_FIELDS
        if getattr(sample, f)
        and midnight(moment.date()) <= getattr(sample, f) < moment + dt.timedelta(days=1)
    ]
    return max([moment, *same_day])


class LabResultsMapper(Mapper):
    form_id = "lab_results"
    title = gettext_lazy("Laboratory results (sample id, date tested, result)")
    model = Sample
    permission = "health.change_sample"
    site_field = None
    aliases = column_aliases(ALIASES, "lab_results")

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        sample_id = clean_text(data, "sample_id", errors, required=True, max_length=40)
        sample = None
        if sample_id:
            sample = selectors.samples_by_id([sample_id], scope=submitter).get(sample_id)
            if sample is None:
                errors.append(
                    FieldError(
                        "sample_id",
                        sample_id,
                        _("Unknown sample id: no sample recorded with this id in your scope."),
                    )
                )
        result = clean_word(data, "result", errors, SampleResult, RESULT_WORDS, required=True)
        reason = clean_text(data, "rejection_reason", errors, max_length=200)
        for field, message in result_problems(result, reason) if result else []:
            errors.append(FieldError(field, _raw(data, field), message))
        received_at = _moment(data, "received_at", errors, sample)
        tested_at = _moment(data, "tested_at", errors, sample, required=True)
        if sample is not None and received_at is not None and sample.received_at is None:
            for message in step_problems(sample, field="received_at", at=received_at):
                errors.append(FieldError("received_at", _raw(data, "received_at"), message))
            sample.received_at = received_at  # the result is checked against this reception
        else:
            received_at = None
        if sample is not None and tested_at is not None:
            for message in step_problems(sample, field="tested_at", at=tested_at):
                errors.append(FieldError("tested_at", _raw(data, "tested_at"), message))
        if errors:
            raise MappingError(errors)
        return {
            "sample": sample,
            "tested_at": tested_at,
            "result": result,
            "rejection_reason": reason if result == SampleResult.REJECTED else "",
            "received_at": received_at,
        }

    def save(self, items) -> None:
        for ctx, group in items_by_context(items).items():
            sample_results_save_batch(
                [
                    ResultRow(
                        submission_id=item.submission_id, existing=item.edited, **item.cleaned
                    )
                    for item in group
                ],
                ctx=ctx,
            )

    def records_for(self, submission):
        return Sample.objects.filter(result_submission=submission)


def mappers() -> list[Mapper]:
    return [LabResultsMapper()]
