"""The one pager (web/_pagination.html): its links keep every filter of the page's address (the
feedback, signals and jobs pagers dropped them: page 2 of a filtered list was page 2 of all)."""

from pathlib import Path

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "hbmm"


def test_the_pager_keeps_the_filters_and_replaces_the_page():
    request = RequestFactory().get(
        "/feedback/", {"region": "ML01", "start": "2020-04-01", "page": "2"}
    )
    page = Paginator(range(100), 10).page(2)
    html = render_to_string("web/_pagination.html", {"page": page}, request=request)
    assert 'href="?region=ML01&amp;start=2020-04-01&amp;page=1"' in html
    assert 'href="?region=ML01&amp;start=2020-04-01&amp;page=3"' in html


def test_no_template_writes_page_links_by_hand():
    """A page link is the pager's, or keeps every parameter of the request."""
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.glob("*/templates/**/*.html")
        if "page=" in (text := path.read_text(encoding="utf-8"))
        and "querystring" not in text
        and "request.GET.items" not in text
    ]
    assert offenders == []
