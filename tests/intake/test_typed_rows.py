"""Each form's cleaned row is a typed dataclass (issue 12): the mapper's `save` makes each item
the form's row, its domain's `*_save_batch(rows, *, ctx)` reads it by attribute. These tests
keep the rows and the forms in step: a value the mapper cleans has its field on the row (else
the batch fails with a TypeError), and `fields()` hands the writers every field of the row."""

import dataclasses
import datetime as dt

import pytest

from hbmm.feedback.services import FeedbackRow
from hbmm.health.ebs.services import SignalRow
from hbmm.health.epi.services import EpiEntry
from hbmm.health.poe.models import CAPACITY_ITEM_FIELDS, Answer
from hbmm.health.poe.services import CapacityRow, StatusRow
from hbmm.health.screening.services import ScreeningRow
from hbmm.intake.mappers import Row
from hbmm.mobility.services import (
    DisplacementRow,
    FlowCountRow,
    MobilityEventRow,
    MrrcOccupancyRow,
    StrandedRow,
)
from hbmm.protection.services import SiteMonitoringRow
from hbmm.response.services import ActivityReportRow, ExpenditureRow
from hbmm.supplies.services import DistributionRow, ReceiptRow

ROWS = [FlowCountRow, DisplacementRow, MrrcOccupancyRow, StrandedRow, MobilityEventRow]
ROWS += [CapacityRow, StatusRow]
ROWS += [FeedbackRow, ReceiptRow, DistributionRow, ActivityReportRow, ExpenditureRow]
ROWS += [SiteMonitoringRow]


@pytest.mark.parametrize("row", [*ROWS, ScreeningRow, SignalRow, EpiEntry])
def test_rows_are_frozen_slotted_dataclasses(row):
    """Every domain's rows: what a mapper cleaned cannot be changed on its way to the writes."""
    assert dataclasses.is_dataclass(row)
    assert row.__dataclass_params__.frozen
    assert "__slots__" in row.__dict__


@pytest.mark.parametrize("row", ROWS)
def test_fields_hand_every_value_to_the_writers(row):
    """`fields()` names every field of the row but `existing` (the record an edit replaces,
    given to the writer apart), the submission's id among them."""
    names = {f.name for f in dataclasses.fields(row)} - {"existing"}
    sample = row(**{f.name: _sample(f) for f in dataclasses.fields(row) if _required(f)})
    assert set(sample.fields()) == names
    assert "submission_id" in names
    assert isinstance(sample, Row)


def test_every_checklist_item_is_a_field_of_the_capacity_row():
    answers = {f.name for f in dataclasses.fields(CapacityRow) if f.default == Answer.NOT_ASSESSED}
    assert answers == set(CAPACITY_ITEM_FIELDS)


def test_a_row_refuses_a_value_its_form_does_not_have():
    """A mapper that cleaned a value its row lacks fails loudly, not silently dropping it."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        MrrcOccupancyRow(submission_id=1, site=None, date=dt.date(2020, 4, 1), total=3, colour=1)


def _required(field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _sample(field):
    return {"submission_id": 1, "total": 0, "count": 0, "round_number": 1}.get(
        field.name, dt.date(2020, 4, 1) if "date" in field.name or "_on" in field.name else None
    )
