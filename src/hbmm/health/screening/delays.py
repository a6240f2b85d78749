"""The suspects' delays (screening -> notification -> referral) as medians, computed from the
middle one or two delays of each group, which the database ranks and counts (window functions,
on PostgreSQL and SQLite alike): no suspect's timestamps are read into Python."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber


def _hours(delay: dt.timedelta) -> float:
    return delay.total_seconds() / 3600


# The suspects' delays: (from, to). The referral delays are over the notified suspects that
# were referred (the referral follows the notification).
DELAYS = {
    "notification": ("screened_at", "notified_at"),
    "referral": ("screened_at", "referred_at"),
    "notification_to_referral": ("notified_at", "referred_at"),
}


def _middle(n: int) -> tuple[int, int]:
    """The ranks (from 1) of the middle value of `n` sorted values: twice the same rank when
    `n` is odd, the two middle ones when it is even."""
    return (n + 1) // 2, (n + 2) // 2


def _median_of_middle(values: list[dt.timedelta]) -> float | None:
    """The median in hours, rounded to 0.1, of a list from its middle one or two values,
    computed as `statistics.median` does over the whole list (the same float)."""
    if not values:
        return None
    hours = sorted(_hours(v) for v in values)
    return round(hours[0] if len(hours) == 1 else (hours[0] + hours[1]) / 2, 1)


@dataclass
class Middles:
    """A group's notified suspects, those of them referred, and the middle one or two values
    of each delay (`DELAYS`' keys)."""

    notified: int = 0
    referred: int = 0
    values: dict[str, list[dt.timedelta]] = field(default_factory=dict)

    def median(self, name: str) -> float | None:
        return _median_of_middle(self.values.get(name, []))


def delay_middles(
    queryset: QuerySet, fields: list[str], delays: tuple[str, ...]
) -> dict[tuple, Middles]:
    """Per group of `fields`, the `Middles` of `delays`: one query that sorts the suspects
    in the database (ranks and counts by window functions, which PostgreSQL and SQLite both
    have) and returns two rows per delay and group, not every suspect."""
    partition = [F(name) for name in fields] or None
    annotations: dict = {
        "n_notified": Window(Count("pk"), partition_by=partition),
        "n_referred": Window(Count("referred_at"), partition_by=partition),
    }
    for name in delays:
        since, until = DELAYS[name]
        annotations[f"delay_{name}"] = ExpressionWrapper(
            F(until) - F(since), output_field=DurationField()
        )
    middle = Q()
    for name in delays:
        count = F("n_notified" if name == "notification" else "n_referred")
        # The suspects not referred sort last: the referred ones are ranks 1 to n_referred.
        annotations[f"rank_{name}"] = Window(
            RowNumber(), partition_by=partition, order_by=F(f"delay_{name}").asc(nulls_last=True)
        )
        in_middle = Q(
            **{f"rank_{name}__gte": (count + 1) / 2, f"rank_{name}__lte": (count + 2) / 2}
        )
        if name != "notification":
            in_middle &= Q(referred_at__isnull=False)
        middle |= in_middle
    rows = (
        queryset.filter(is_suspect=True, notified_at__isnull=False)
        .order_by()
        .annotate(**annotations)
        .filter(middle)
        .values(*fields, *annotations)
    )
    groups: dict[tuple, Middles] = {}
    for row in rows:
        group = groups.setdefault(
            tuple(row[name] for name in fields),
            Middles(notified=row["n_notified"], referred=row["n_referred"]),
        )
        for name in delays:
            low, high = _middle(group.notified if name == "notification" else group.referred)
            if row[f"delay_{name}"] is not None and low <= row[f"rank_{name}"] <= high:
                group.values.setdefault(name, []).append(row[f"delay_{name}"])
    return groups


def delay_medians(queryset: QuerySet) -> dict:
    """Median hours screening -> notification and screening -> referral (and notification
    -> referral), over the suspects that reached each step; with the count behind each."""
    group = delay_middles(queryset, [], tuple(DELAYS)).get((), Middles())
    return {
        "median_hours_to_notification": group.median("notification"),
        "notified_count": group.notified,
        "median_hours_to_referral": group.median("referral"),
        "referred_count": group.referred,
        "median_hours_notification_to_referral": group.median("notification_to_referral"),
    }
