"""docs/api.md's Python example runs: against a live HBMM, with a token, it reads every page."""

import os
import re
from pathlib import Path

import pytest

from hbmm.accounts.services import api_token_create

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_doc_lists_every_endpoint_of_the_schema():
    schema = (DOC.parent / "openapi.yaml").read_text()
    doc = DOC.read_text()
    for path in re.findall(r"^  (/api/v1/[^:]+):$", schema, flags=re.M):
        first = path.removeprefix("/api/v1/").split("/")[0]
        assert f"/api/v1/{first}/" in doc or f"…/{path.split('/')[-2]}/" in doc, path


@pytest.mark.django_db(transaction=True)
def test_the_python_example_reads_every_page(live_server, make_user, capsys, monkeypatch):
    from hbmm.intake.process import submissions_process  # noqa: PLC0415
    from hbmm.intake.receive import submission_receive  # noqa: PLC0415

    for n in range(3):
        received = submission_receive(
            channel="openrosa",
            form_id="flow_count",
            instance_id=f"uuid:doc-{n}",
            payload=f"doc-{n}",
            payload_format="xml",
            data={
                "observation_date": f"2020-04-0{n + 1}",
                "site": "BCP-KOUREMALE",
                "direction": "incoming",
                "men": "5",
                "women": "0",
                "boys": "0",
                "girls": "0",
                "total": "5",
            },
        )
        submissions_process([received.submission])
    user = make_user("viewer", areas=["MLI"])
    token = api_token_create(user=user, name="docs", days=1)[1]
    monkeypatch.setitem(os.environ, "HBMM_TOKEN", token)
    monkeypatch.setitem(os.environ, "HBMM_URL", live_server.url)
    example = _python_blocks()[0].replace("limit=1000", "limit=2")  # several pages
    exec(compile(example, str(DOC), "exec"), {})  # noqa: S102  (the documented example itself)
    assert capsys.readouterr().out.strip() == "3 flow counts"
