"""Reads of the jobs app: a user sees the jobs they asked for; those who may see every job
(`jobs.view_all_jobs`: administrators) see all of them."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from hbmm.jobs.models import Job


def job_list(*, user, kind: str = "", status: str = "") -> QuerySet:
    queryset = Job.objects.select_related("requested_by")
    if not user.has_perm("jobs.view_all_jobs"):
        queryset = queryset.filter(requested_by=user)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def job_get_or_404(*, user, pk: int) -> Job:
    """A job the user may see; another user's job is not found (404)."""
    return get_object_or_404(job_list(user=user), pk=pk)


def job_active_for(*, target: str) -> Job | None:
    """The queued or running job working on `target`, if any."""
    return Job.objects.filter(target=target, status__in=Job.ACTIVE).order_by("-pk").first()


def job_active_with_lock(*, lock_key: str) -> Job | None:
    """The queued or running job holding `lock_key`, if any (at most one: a unique index)."""
    return Job.objects.filter(lock_key=lock_key, status__in=Job.ACTIVE).first()


def job_latest_for(*, target: str) -> Job | None:
    return Job.objects.filter(target=target).order_by("-pk").first()
