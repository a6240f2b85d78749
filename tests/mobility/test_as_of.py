"""One as-of date for every page (hbmm.presentation.as_of): chosen once in the URL, kept in the
session, shown in the header, the latest data by default; a page whose data is older says so."""

import datetime as dt

import pytest

from tests.mobility.conftest import flow


@pytest.fixture
def flows(submit, mobility_sites):
    for data in [
        flow("2020-04-01", "BCP-KOUREMALE", "incoming", 30, 10, 10, 10),
        flow("2020-05-12", "BCP-ZEGOUA", "outgoing", 20, 10, 5, 5),
    ]:
        assert submit("flow_count", data).status == "accepted"


@pytest.fixture
def viewer(client, make_user):
    user = make_user("im_officer", areas=["MLI"])
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_default_is_the_latest_data_and_the_header_shows_it(viewer, flows):
    page = viewer.get("/mobility/")
    assert (page.context["start"], page.context["end"]) == (
        dt.date(2020, 5, 1),
        dt.date(2020, 5, 12),
    )
    text = page.content.decode()
    assert 'name="as_of" value="2020-05-12"' in text
    assert "12 May 2020" in text and "date of the latest data" in text
    assert "stale-note" not in text
    # The overview opens at the same date.
    assert viewer.get("/").context["ctx"].as_of == dt.date(2020, 5, 12)


@pytest.mark.django_db
def test_a_date_chosen_once_is_kept_across_pages_until_latest(viewer, flows):
    viewer.get("/mobility/", {"as_of": "2020-04-20"})
    mobility = viewer.get("/mobility/")
    # The month of the latest flow count on or before the date, up to the date.
    assert (mobility.context["start"], mobility.context["end"]) == (
        dt.date(2020, 4, 1),
        dt.date(2020, 4, 20),
    )
    assert viewer.get("/").context["ctx"].as_of == dt.date(2020, 4, 20)
    assert viewer.get("/health/poe/status/").context["day"] == dt.date(2020, 4, 20)
    text = viewer.get("/health/poe/status/").content.decode()
    assert 'name="as_of" value="2020-04-20"' in text and "?as_of=latest" in text
    # Other query parameters survive a change of date in the header.
    page = viewer.get("/mobility/", {"area": "ML01"})
    assert '<input type="hidden" name="area" value="ML01">' in page.content.decode()
    viewer.get("/mobility/", {"as_of": "latest"})
    assert viewer.get("/").context["ctx"].as_of == dt.date(2020, 5, 12)


@pytest.mark.django_db
def test_a_period_older_than_the_date_says_its_own_date(viewer, flows):
    page = viewer.get("/mobility/", {"as_of": "2020-06-30"})
    assert page.context["end"] == dt.date(2020, 5, 31)
    assert page.context["stale_end"] == dt.date(2020, 5, 31)
    text = page.content.decode()
    assert "the figures below are as of 31 May 2020, not 30 June 2020" in text
    # A period chosen by the reader is theirs: no note.
    page = viewer.get("/mobility/", {"start": "2020-04-01", "end": "2020-04-30"})
    assert page.context["stale_end"] is None


@pytest.mark.django_db
def test_a_bad_date_is_named_and_the_chosen_date_stays(viewer, flows):
    viewer.get("/mobility/", {"as_of": "2020-04-20"})
    page = viewer.get("/mobility/", {"as_of": "2020-13-01"})
    assert page.status_code == 200
    assert "as_of: “2020-13-01” is not a date (YYYY-MM-DD)." in page.content.decode()
    assert page.context["end"] == dt.date(2020, 4, 20)
    overview = viewer.get("/", {"as_of": "soon"})
    assert overview.context["errors"] == ["as_of: “soon” is not a date (YYYY-MM-DD)."]
    report = viewer.get("/reports/report/", {"as_of": "soon", "format": "md"})
    assert report.status_code == 400


@pytest.mark.django_db
def test_pages_without_a_date_do_not_show_it(viewer, flows):
    text = viewer.get("/accounts/me/").content.decode()
    assert "asof-bar" not in text
