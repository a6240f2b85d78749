"""The time cut a scope carries (`known_on`, `changed_after`): kept when the scope is narrowed,
applied by `restrict_to_scope` from the model's `scope_known_at`, and a model that declares no
known time is read whole (or not at all for changes) and listed, never cut silently."""

import datetime as dt

from hbmm.accounts.scope import EVERYTHING, restrict_to_scope, time_cut_gaps
from hbmm.mobility.models import FlowCount
from hbmm.places.models import AdminArea, Site
from hbmm.supplies.models import Transfer

MOMENT = dt.datetime(2020, 5, 16, 8, 0, tzinfo=dt.UTC)


def test_narrowing_keeps_the_cut(reference):
    kayes = AdminArea.objects.get(pcode="ML01")
    scope = EVERYTHING.as_known_on(MOMENT).narrow(kayes)
    assert scope.known_on == MOMENT and scope.area_paths == (kayes.path,)
    assert scope.narrow(kayes).changes_after(MOMENT).known_on == MOMENT


def test_models_without_a_known_time_are_listed_not_cut(reference):
    with time_cut_gaps() as gaps:
        sites = restrict_to_scope(Site.objects.all(), EVERYTHING.as_known_on(MOMENT)).count()
        restrict_to_scope(FlowCount.objects.all(), EVERYTHING.as_known_on(MOMENT))
        figures = restrict_to_scope(Transfer.objects.all(), EVERYTHING.as_known_on(MOMENT))
        changed = restrict_to_scope(Transfer.objects.all(), EVERYTHING.changes_after(MOMENT))
    assert sites == Site.objects.count()  # reference data: never cut, never listed
    assert gaps == {Transfer}
    assert str(figures.query) == str(Transfer.objects.all().query)
    assert changed.count() == 0
    cut = restrict_to_scope(FlowCount.objects.all(), EVERYTHING.as_known_on(MOMENT))
    assert "entered_at" in str(cut.query)
