"""The mapper-to-service contract: each Item says where it comes from (submitter, channel, demo
flag, the user the writes are attributed to), on the row path and on the bulk path, so that a
mapper groups its items by BatchContext without asking the database again."""

import io

import pytest

from hbmm.intake import mappers
from hbmm.intake.channels.files import file_import
from hbmm.intake.mappers import BatchContext, Item, items_by_context
from hbmm.intake.models import Channel, Submission
from hbmm.intake.process import submissions_process
from hbmm.intake.receive import submission_receive
from tests.intake.conftest import ProbeMapper


class ContextProbe(ProbeMapper):
    """Keeps each batch's contexts, as a domain mapper hands them to its batch save."""

    def __init__(self):
        super().__init__()
        self.contexts: list[BatchContext] = []
        self.items: list[Item] = []

    def save(self, items):
        self.items.extend(items)
        self.contexts.extend(items_by_context(items))


@pytest.fixture
def context_probe(reference):
    previous = mappers.get_mapper("flow_count")
    probe = ContextProbe()
    mappers.register(probe)
    yield probe
    mappers.unregister("flow_count")
    if previous is not None:
        mappers.register(previous)


DATA = {
    "site": "BCP-GOGUI",
    "observation_date": "2020-04-28",
    "direction": "incoming",
    "men": "1",
    "women": "2",
    "boys": "0",
    "girls": "0",
}


def received(instance_id: str, *, submitter, channel=Channel.OPENROSA) -> Submission:
    return submission_receive(
        channel=channel,
        form_id="flow_count",
        instance_id=instance_id,
        payload=f"<data>{instance_id}</data>",
        payload_format="xml",
        data=DATA,
        submitter=submitter,
    ).submission


@pytest.mark.django_db
def test_row_path_items_carry_the_submitter_and_the_reviewer(context_probe, make_user):
    agent = make_user("enumerator", areas=["MLI"])
    reviewer = make_user("im_officer", areas=["MLI"])
    submissions_process([received("uuid:a", submitter=agent)])
    assert context_probe.contexts == [
        BatchContext(submitter=agent, by=agent, channel="openrosa", is_demo=False)
    ]
    submissions_process([received("uuid:b", submitter=agent, channel=Channel.WEB)], actor=reviewer)
    assert context_probe.contexts[-1] == BatchContext(
        submitter=agent, by=reviewer, channel="web", is_demo=False
    )


@pytest.mark.django_db
def test_one_batch_is_grouped_by_where_its_items_come_from(context_probe, make_user):
    first, second = make_user("enumerator", areas=["MLI"]), make_user("enumerator", areas=["MLI"])
    batch = [
        received("uuid:1", submitter=first),
        received("uuid:2", submitter=second),
        received("uuid:3", submitter=first),
    ]
    counts = submissions_process(batch)
    assert counts[Submission.Status.ACCEPTED] == 3
    assert [(c.submitter, c.by) for c in context_probe.contexts] == [
        (first, first),
        (second, second),
    ]


@pytest.mark.django_db
def test_bulk_path_items_carry_the_uploader_and_the_demo_flag(
    context_probe, make_user, settings, tmp_path, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    uploader = make_user("im_officer", areas=["MLI"])
    header = ",".join(DATA)
    lines = [header] + [",".join({**DATA, "men": str(n)}.values()) for n in range(3)]
    record = file_import(
        kind="flow_count",
        source=io.BytesIO("\n".join(lines).encode()),
        original_name="rows.csv",
        uploaded_by=uploader,
        is_demo=True,
    )
    assert (record.rows_read, record.rows_accepted) == (3, 3)
    assert context_probe.contexts == [
        BatchContext(submitter=uploader, by=uploader, channel="file", is_demo=True)
    ]
    item = context_probe.items[0]
    with django_assert_num_queries(0):  # the row's submission is built, not read again
        assert item.submission.submitter == uploader
        assert item.submission.source_file == record
    stored = Submission.objects.get(pk=item.submission_id)
    assert (stored.status, stored.is_current, stored.root_id, stored.is_demo) == (
        Submission.Status.ACCEPTED,
        True,
        stored.instance_id,
        True,
    )
