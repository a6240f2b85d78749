"""What apps tell the jobs app, in their AppConfig.ready():

- the kinds of job they run (`register_kind`): a label for the Jobs page, how to say a job's
  outcome in words (in the reader's language, from the numbers the job stored), and where the
  thing it worked on is shown;
- periodic work (`register_periodic`): functions each worker calls every
  HBMM_JOBS_TICK_SECONDS (e.g. starting the pulls that are due); they must be safe when
  several workers call them at once (a conditional update or a job lock decides who acts).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str | Promise  # lazy translation
    describe: Callable[[dict], str] | None = None  # outcome -> words
    link: Callable[[object], str | None] | None = None  # job -> URL of what it worked on
    # job -> its title in the reader's language, for the work nobody asked for (reminders,
    # mapping): its label was written in the language of whatever queued it. Else the label.
    title: Callable[[object], str] | None = None
    # Routine work nobody asked for (mapping what phones sent): its successes are deleted
    # this many hours after they finish, or a trickle of submissions fills the Jobs page.
    keep_succeeded_hours: int | None = None


_KINDS: dict[str, JobKind] = {}
_PERIODIC: list[Callable[[], object]] = []


def register_kind(kind: JobKind) -> None:
    _KINDS[kind.code] = kind


def get_kind(code: str) -> JobKind | None:
    return _KINDS.get(code)


def kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def register_periodic(func: Callable[[], object]) -> None:
    if func not in _PERIODIC:
        _PERIODIC.append(func)


def periodic() -> list[Callable[[], object]]:
    return list(_PERIODIC)
