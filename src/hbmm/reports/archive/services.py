"""Publishing a situation report: the writes of the archive (`PublishedReport`), the only ones
of the reports app. `report_publish` records who publishes what and when; `report_archive`
computes the report's figures as known at that moment, renders its PDFs and stores both (a
worker does it for the web button, `hbmm sitrep --publish` at once)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import audit_log
from hbmm.places.models import AdminArea
from hbmm.reports import sitrep
from hbmm.reports.models import PublishedFigure, PublishedReport
from hbmm.reports.registry import Context

PUBLISH_PERMISSION = "reports.publish_report"


def _country():
    return AdminArea.objects.filter(level=AdminArea.Level.COUNTRY).first()


def report_publish(
    *,
    by,
    as_of: dt.date,
    area: AdminArea | None = None,
    languages: tuple[str, ...] = ("fr", "en"),
    at: dt.datetime | None = None,
) -> PublishedReport:
    """Record that `by` publishes the report of `as_of` (and `area`) now: a pending archive
    entry, completed by `report_archive`. `by` needs the publish permission and a scope that
    holds the whole area (the whole country for a national report)."""
    if not by.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Your role does not allow you to publish the situation report."))
    holds = user_scope(by).contains_area(area) if area is not None else user_scope(by).is_national
    if not holds:
        raise PermissionDenied(_("Your scope does not hold the whole area of this report."))
    for lang in languages:
        sitrep.check_options(fmt="pdf", lang=lang)
    with transaction.atomic():
        report = PublishedReport.objects.create(
            as_of=as_of,
            area=area,
            languages=list(languages),
            published_at=at or timezone.now(),
            published_by=by if by.pk else None,
            published_by_name=by.get_username(),
        )
        audit_log(
            action=AuditEvent.Action.EXPORT,
            actor=by if by.pk else None,
            target=f"reports.publishedreport:{report.pk}",
            details={
                "as_of": as_of.isoformat(),
                "area": area.pcode if area else None,
                "languages": list(languages),
            },
        )
    return report


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def report_archive(*, report: PublishedReport, reader) -> PublishedReport:
    """Compute the report's figures as `reader` sees them, as known at its publication time,
    render its PDF in each of its languages, and store them: the report is then published."""
    ctx = Context.of(reader, as_of=report.as_of, area=report.area, known_on=report.published_at)
    found: dict[tuple[str, str], dict] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for lang in report.languages:
        with override(lang):
            outputs, note = sitrep.built(ctx)
            for output in outputs:
                if not (output.section.in_report and output.result.has_data):
                    continue
                for figure in output.result.figures:
                    entry = found.setdefault(
                        (output.key, figure.key),
                        {
                            "position": len(found),
                            "section": output.key,
                            "key": figure.key,
                            "value": _number(figure.value),
                            "denominator": figure.denominator,
                            "data_as_of": figure.as_of or output.data_date or report.as_of,
                            "drilldown_table": figure.drilldown.key if figure.drilldown else "",
                            "drilldown_params": dict(figure.drilldown.params)
                            if figure.drilldown
                            else {},
                            "labels": {},
                            "units": {},
                            "definitions": {},
                            "displays": {},
                        },
                    )
                    entry["labels"][lang] = str(figure.label)
                    entry["units"][lang] = str(figure.unit) if figure.unit else ""
                    entry["definitions"][lang] = str(figure.definition or "")
                    entry["displays"][lang] = figure.display
            body = sitrep.render(ctx, fmt="pdf", lang=lang, outputs=outputs, note=note)
            files[lang] = (sitrep.filename(ctx, "pdf", lang), body)
    with transaction.atomic():
        report.figures.all().delete()  # a run again after a failure starts afresh
        PublishedFigure.objects.bulk_create(
            PublishedFigure(report=report, **entry) for entry in found.values()
        )
        for lang, (name, body) in files.items():
            report.pdf(lang).save(name, ContentFile(body), save=False)
        report.status = PublishedReport.Status.DONE
        report.error = ""
        report.save()
    return report


def report_archive_failed(*, report: PublishedReport, error: str) -> None:
    """The archive could not be made: the entry says so (and why) rather than staying pending."""
    PublishedReport.objects.filter(pk=report.pk).update(
        status=PublishedReport.Status.FAILED, error=error[:2000]
    )
