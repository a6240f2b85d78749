"""Community feedback reports (XLSForm `feedback`, file imports) -> Feedback entries.

What was said and a consented name are direct identifiers for intake: the raw payload is kept
encrypted and these fields stay out of every clear copy (`Mapper.identifier_fields`).

Column aliases and the words accepted for the choices (`ligne verte`, `rumeur`, `plainte`...)
are data: `feedback/data/intake_aliases.json`, listed in docs/imports-feedback.md
(`python tools/import_docs.py` writes that part)."""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hbmm.feedback.models import Feedback
from hbmm.feedback.services import FeedbackRow, feedbacks_save_batch
from hbmm.feedback.xlsforms import FORM_ID
from hbmm.intake.aliases import column_aliases, word_table
from hbmm.intake.cleaning import (
    check_area_scope,
    clean_bool,
    clean_datetime,
    clean_int,
    clean_site,
    clean_text,
    clean_word,
)
from hbmm.intake.mappers import (
    FieldError,
    Item,
    Mapper,
    MappingError,
    items_by_context,
    register,
)
from hbmm.places.lookups import Lookups

ALIASES = Path(__file__).resolve().parent / "data" / "intake_aliases.json"


def _word(data: dict, name: str, errors: list, choices, *, required=False, default="") -> str:
    """A choice by its code or one of its words in the alias data; `default` when not given."""
    return (
        clean_word(data, name, errors, choices, word_table(ALIASES, name), required=required)
        or default
    )


class FeedbackMapper(Mapper):
    form_id = FORM_ID
    example = {
        "received_at": "2020-04-28 09:30",
        "channel": "hotline",
        "pcode": "ML0101",
        "source_type": "community_member",
        "name_consent": "no",
        "text": "Où se faire dépister ?",
        "kind": "question",
        "sensitivity": "normal",
    }
    model = Feedback
    permission = "feedback.add_feedback"
    site_field = "site"
    title = gettext_lazy("Community feedback")
    identifier_fields = frozenset({"text", "source_name"})
    identifier_permission = "feedback.view_feedback_text"
    aliases = column_aliases(ALIASES, FORM_ID)

    def clean(self, data: dict, *, submitter, lookups: Lookups) -> dict:
        errors: list[FieldError] = []
        received_at = clean_datetime(data, "received_at", errors, required=True, not_future=True)
        site = clean_site(data, "site", errors, lookups, submitter=submitter, required=False)
        area = None
        pcode = clean_text(data, "pcode", errors, max_length=20)
        if pcode and site is None:
            area = lookups.area(pcode)
            if area is None:
                errors.append(FieldError("pcode", pcode, _("Unknown P-code.")))
            else:
                check_area_scope(errors, "pcode", area, submitter)
        if site is None and area is None and not any(e.field in ("site", "pcode") for e in errors):
            errors.append(FieldError("site", None, _("Give a site or a P-code.")))
        consent = clean_bool(data, "name_consent", errors, default=False)
        source_name = clean_text(data, "source_name", errors, max_length=150)
        if source_name and not consent:
            # the name is not kept; the value is not quoted back (it is an identifier)
            errors.append(
                FieldError(
                    "source_name",
                    None,
                    _("A name is kept only when the person consented to give it."),
                )
            )
        cleaned = {
            "received_at": received_at,
            "channel": _word(data, "channel", errors, Feedback.Channel, required=True),
            "site": site,
            "area": area,
            "source_type": _word(
                data,
                "source_type",
                errors,
                Feedback.SourceType,
                default=Feedback.SourceType.UNKNOWN,
            ),
            "name_consent": bool(consent),
            "source_name": source_name,
            "text": clean_text(data, "text", errors, required=True, max_length=4000),
            "kind": _word(data, "kind", errors, Feedback.Kind),
            "topic": _word(data, "topic", errors, Feedback.Topic),
            "sensitivity": _word(
                data,
                "sensitivity",
                errors,
                Feedback.Sensitivity,
                default=Feedback.Sensitivity.NORMAL,
            ),
            "signal_id": clean_int(data, "signal", errors, minimum=1, maximum=2**31 - 1),
        }
        if errors:
            raise MappingError(errors)
        return cleaned

    def save(self, items: list[Item]) -> None:
        """One batch save per context (submitter, sender, channel, demo flag)."""
        for ctx, group in items_by_context(items).items():
            rows = [
                FeedbackRow(submission_id=item.submission_id, existing=item.edited, **item.cleaned)
                for item in group
            ]
            feedbacks_save_batch(rows, ctx=ctx)


def register_all() -> None:
    register(FeedbackMapper())
