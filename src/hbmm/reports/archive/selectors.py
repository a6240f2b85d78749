"""Reads of the archive: the published reports a reader may see, and for one of them which
figures changed since and the records behind each change (its drill-down: the records of the
figure's table entered or changed after the publication, `Scope.changes_after`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import get_language

from hbmm.accounts.scope import Scope, time_cut_gaps, user_scope
from hbmm.presentation.figures import Drilldown
from hbmm.presentation.table_views import BadFilter, clean_filters
from hbmm.presentation.tables import Query, filter_form, get_table
from hbmm.reports.models import PublishedFigure, PublishedReport
from hbmm.reports.registry import Context, build_sections


def _holds(scope: Scope, report: PublishedReport) -> bool:
    return scope.contains_area(report.area) if report.area is not None else scope.is_national


def published_reports(*, user) -> list[PublishedReport]:
    """The published reports whose whole area the reader's scope holds, newest first."""
    scope = user_scope(user)
    reports = PublishedReport.objects.select_related("area").order_by("-published_at", "-pk")
    return [r for r in reports if _holds(scope, r)]


def published_get(*, user, pk: int) -> PublishedReport:
    """One published report the reader may see (404 otherwise: outside their scope)."""
    report = PublishedReport.objects.select_related("area").filter(pk=pk).first()
    if report is None or not _holds(user_scope(user), report):
        raise Http404
    return report


@dataclass
class Change:
    """A published figure beside its value computed now: `live` None when the figure is gone;
    `records` the drill-down (None: the figure's records carry no entry time, or it has no
    table); `url` its page."""

    figure: PublishedFigure
    live: Decimal | None
    records: int | None = None
    url: str = ""
    drillable: bool = False

    @property
    def difference(self) -> Decimal | None:
        if self.live is None or self.figure.value is None:
            return None
        return self.live - self.figure.value

    @property
    def changed(self) -> bool:
        return self.live != self.figure.value

    def label(self) -> str:
        return self.figure.label((get_language() or "fr")[:2])


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def changed_records(*, user, report: PublishedReport, figure: PublishedFigure):
    """The records of `figure`'s table, with its filters, entered or changed after the
    publication (a queryset or rows), or None when they cannot be told: the figure has no
    table, the reader may not see it, or its records carry no entry time."""
    table = get_table(figure.drilldown_table) if figure.drilldown_table else None
    if table is None or not user.has_perm(table.permission):
        return None
    scope = user_scope(user)
    if report.area is not None:
        scope = scope.narrow(report.area)
    scope = scope.changes_after(report.published_at)
    params = QueryDict(mutable=True)
    for name, value in figure.drilldown_params.items():
        params[name] = str(value)
    try:
        filters = clean_filters(table, filter_form(table, params), scope)
    except (BadFilter, Http404):
        return None
    with time_cut_gaps() as gaps:
        rows = table.read(
            Query(
                scope=scope,
                area=report.area,
                filters=filters,
                reader=user,
                as_of=lambda: report.as_of,
            )
        )
        rows = rows if isinstance(rows, QuerySet) else list(rows)
    return None if gaps else rows


def report_changes(*, user, report: PublishedReport) -> list[Change]:
    """Every figure of `report` with its value now (the reader's view of the same date and
    area, all records known today), and for those that changed, the records behind."""
    ctx = Context.of(user, as_of=report.as_of, area=report.area)
    live: dict[tuple[str, str], Decimal | None] = {}
    for output in build_sections(ctx):
        for shown in output.result.figures:
            live[(output.key, shown.key)] = _number(shown.value)
    changes = []
    for kept in report.figures.all():
        change = Change(figure=kept, live=live.get((kept.section, kept.key)))
        if change.changed:
            rows = changed_records(user=user, report=report, figure=kept)
            if rows is not None:
                change.drillable = True
                change.records = rows.count() if isinstance(rows, QuerySet) else len(rows)
                change.url = drilldown_url(report, kept)
        changes.append(change)
    return changes


def drilldown_url(report: PublishedReport, figure: PublishedFigure) -> str:
    """The figure's table page, with its filters, showing only the records entered or changed
    after the publication (`changed_after`)."""
    drill = Drilldown(
        figure.drilldown_table,
        {**figure.drilldown_params, "changed_after": report.published_at.isoformat()},
    )
    return drill.url(area=report.area.pcode if report.area else None)
