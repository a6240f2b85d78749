"""One "as of" date for every page: chosen once, carried in the session and the URL.

`hbmm.web.middleware.AsOfMiddleware` gives every request an `AsOf` (`request.as_of`):

- `?as_of=YYYY-MM-DD` chooses a date; it is kept in the session, so every page after it (the
  overview, mobility, points of entry, signals, lists and exports) counts as of that day;
- `?as_of=latest` forgets the choice;
- without a choice, the date is the newest date of data the reader sees (the overview's
  sections, `hbmm.reports.registry.latest_data_date`), computed only when a page asks for it.

Views read `request_as_of(request)` (a date), or `request.as_of` for what the header shows.
A figure whose own data is older than that date says its own date (`stale_date`).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_KEY = "hbmm.as_of"
PARAM = "as_of"
LATEST = "latest"


@dataclass
class AsOf:
    """The as-of date of one request: chosen (URL or session) or the default (latest data)."""

    chosen: dt.date | None = None
    error: str = ""  # a ?as_of= that is not a date, named
    default: Callable[[], dt.date | None] = field(default=lambda: None, repr=False)
    from_url: bool = False  # the date was given in this request's URL
    _latest: dt.date | None = field(default=None, init=False, repr=False)
    _resolved: bool = field(default=False, init=False, repr=False)
    used: bool = field(default=False, init=False)  # a page read the date: the header shows it

    @property
    def latest(self) -> dt.date:
        """The newest date of data the reader sees (today when there is none)."""
        if not self._resolved:
            self._latest = self.default() or dt.date.today()
            self._resolved = True
        assert self._latest is not None
        return self._latest

    @property
    def date(self) -> dt.date:
        self.used = True
        return self.chosen or self.latest

    @property
    def is_latest(self) -> bool:
        return self.chosen is None

    @property
    def query(self) -> str:
        """`as_of=YYYY-MM-DD` for a link that keeps the chosen date ("" when none is chosen)."""
        return f"{PARAM}={self.chosen.isoformat()}" if self.chosen else ""


def parse(text: str) -> dt.date:
    """The date of `?as_of=` (ValueError with a message naming the parameter)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            _("%(name)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"name": PARAM, "value": text}
        ) from None


def as_of_for_request(request, *, default: Callable[[], dt.date | None]) -> AsOf:
    """Read `?as_of=` (keeping a valid one in the session) or the session's choice."""
    session = getattr(request, "session", None)
    text = (request.GET.get(PARAM) or "").strip()
    if text == LATEST:
        if session is not None:
            session.pop(SESSION_KEY, None)
        return AsOf(default=default)
    stored = None
    if session is not None and session.get(SESSION_KEY):
        try:
            stored = dt.date.fromisoformat(session[SESSION_KEY])
        except (TypeError, ValueError):
            session.pop(SESSION_KEY, None)
    if not text:
        return AsOf(chosen=stored, default=default)
    try:
        chosen = parse(text)
    except ValueError as exc:
        return AsOf(chosen=stored, error=str(exc), default=default)
    if session is not None and session.get(SESSION_KEY) != chosen.isoformat():
        session[SESSION_KEY] = chosen.isoformat()
    return AsOf(chosen=chosen, default=default, from_url=True)


def request_as_of(request) -> dt.date:
    """The as-of date of the request (today for a request the middleware has not seen)."""
    as_of = getattr(request, "as_of", None)
    return as_of.date if as_of is not None else dt.date.today()


def day_end(day: dt.date) -> dt.datetime:
    """The last instant of `day` (UTC), or now when `day` is today or later: what "as of" means
    for a clock (the age of an open signal)."""
    now = timezone.now()
    end = dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
    return min(now, end)


def stale_date(data_date: dt.date | None, as_of: dt.date) -> dt.date | None:
    """The date a figure must state because its data is older than `as_of`, else None."""
    if data_date is not None and data_date < as_of:
        return data_date
    return None
