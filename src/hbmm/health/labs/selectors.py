"""Reads of laboratories and samples. Samples are personal health data: a reader sees those
taken at a point in their scope and those sent to a laboratory in their scope (the one place
this is applied: `samples_for`)."""

import datetime as dt
from typing import cast

from django.db.models import Q, QuerySet
from django.http import Http404

from hbmm.accounts.scope import get_in_scope_or_404, restrict_to_scope
from hbmm.health.labs.models import Laboratory, Sample, SampleResult
from hbmm.periods import midnight
from hbmm.places.models import Site, SiteKind

STATUS_FILTERS = {
    "taken": Q(result="", shipped_at__isnull=True, received_at__isnull=True),
    "shipped": Q(result="", shipped_at__isnull=False, received_at__isnull=True),
    "received": Q(result="", received_at__isnull=False),
    "waiting": Q(result=""),
    "resulted": ~Q(result="") & ~Q(result=SampleResult.REJECTED) & Q(communicated_at__isnull=True),
    "rejected": Q(result=SampleResult.REJECTED),
    "communicated": Q(communicated_at__isnull=False),
}


def samples_for(scope) -> QuerySet:
    """The samples `scope` may see: taken at one of its points, or tested by one of its labs."""
    base = Sample.objects.select_related("point", "point__area", "lab", "screening")
    return restrict_to_scope(base, scope) | restrict_to_scope(
        base, scope, site_lookup="lab", area_lookup="lab__area"
    )


def week_start(week: str) -> dt.date | None:
    """The Monday of an ISO week written 2020-W16, or None when it is not one."""
    try:
        year, number = week.split("-W")
        return dt.date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return None


def sample_list(*, scope, lab: str = "", status: str = "", week: str = "") -> QuerySet:
    """Samples in scope, newest first; filters: lab code, status (STATUS_FILTERS), ISO week of
    sampling (2020-W16)."""
    queryset = samples_for(scope)
    if lab:
        queryset = queryset.filter(lab__code=lab)
    if status in STATUS_FILTERS:
        queryset = queryset.filter(STATUS_FILTERS[status])
    monday = week_start(week) if week else None
    if monday is not None:
        queryset = queryset.filter(
            taken_at__gte=midnight(monday), taken_at__lt=midnight(monday + dt.timedelta(days=7))
        )
    return queryset.order_by("-taken_at", "-pk")


def sample_weeks(*, scope) -> list[str]:
    """The ISO weeks (2020-W16) in which the samples in scope were taken, newest first."""
    weeks = {
        f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"
        for day in samples_for(scope).dates("taken_at", "day")
    }
    return sorted(weeks, reverse=True)


def sample_get(*, scope, pk: int) -> Sample:
    """One sample in the reader's scope (404 otherwise)."""
    sample = samples_for(scope).select_related("taken_by").filter(pk=pk).first()
    if sample is None:
        raise Http404
    return sample


def samples_by_id(sample_ids: list[str], *, scope) -> dict[str, Sample]:
    """The samples in scope among `sample_ids`, by id (one query; an import's batch)."""
    found = samples_for(scope).filter(sample_id__in=sorted(set(sample_ids)))
    return {sample.sample_id: sample for sample in found}


def sample_rows(*, scope, taken_before: dt.datetime | None = None) -> list[dict]:
    """The samples in scope (taken before `taken_before` when given) as plain rows with the
    times of their steps: what the turnaround figures are computed from."""
    queryset = samples_for(scope)
    if taken_before is not None:
        queryset = queryset.filter(taken_at__lt=taken_before)
    return list(
        queryset.order_by("taken_at", "pk").values(
            "pk",
            "sample_id",
            "point__code",
            "point__name_fr",
            "point__name_en",
            "lab__code",
            "lab__name_fr",
            "lab__name_en",
            "taken_at",
            "shipped_at",
            "received_at",
            "tested_at",
            "communicated_at",
            "result",
        )
    )


def laboratories() -> QuerySet:
    """The registry: every laboratory record (places, not personal data: seen by all who may
    read it)."""
    return Laboratory.objects.select_related("site", "site__area", "point", "updated_by")


def laboratory_get(*, scope, pk: int) -> Laboratory:
    """A laboratory record to edit: its site must be in the editor's scope (404 otherwise)."""
    return cast(Laboratory, get_in_scope_or_404(laboratories(), scope, pk=pk))


def lab_sites(scope=None) -> QuerySet:
    """Sites of kind lab (in `scope` when given), by code."""
    sites = Site.objects.filter(kinds__code=SiteKind.LABORATORY).order_by("code")
    return sites if scope is None else restrict_to_scope(sites, scope)


def screening_samples(*, screening) -> QuerySet:
    """The samples of a screening the reader already sees (taken at its point: in scope)."""
    return Sample.objects.filter(screening=screening).select_related("lab").order_by("taken_at")
