"""Edits: who may replace which version. An edit names the version it replaces
(`deprecatedID`); it may replace it, and its root's current version, only when each is of the
same form, the sender holds the form's permission and each version's site is in the sender's
scope. Asked by the OpenRosa channel before anything is stored, and by `intake.process` for
every channel; a refused edit is kept as a copy for review (`intake.submissions`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hbmm.accounts.scope import user_scope
from hbmm.intake.mappers import FieldError, Mapper
from hbmm.intake.models import Submission
from hbmm.intake.parsing import alias_map, apply_aliases
from hbmm.places.models import Site

# Reasons an edit is refused (translated when shown: to the phone, and in the stored reason).
EDIT_OTHER_FORM = gettext_noop(
    "The submission this one edits (%(previous)s) is of another form (%(form)s): an edit "
    "keeps the form of the submission it edits."
)
EDIT_OUT_OF_SCOPE = gettext_noop(
    "The submission this one edits (%(previous)s) is about a site outside your geographic "
    "scope: you may not change it."
)
EDIT_NOT_ALLOWED = gettext_noop(
    "Your role does not allow you to send the form '%(form)s', so you may not edit %(previous)s."
)
EDIT_UNKNOWN = gettext_noop(
    "The submission this one edits (%(previous)s) has not been received by this server: send "
    "it first, then this edit."
)


@dataclass(frozen=True)
class Refusal:
    """Why a submission is refused: an HTTP status for the phone, the field and value at
    fault, and a message (a gettext_noop text and its parameters, translated when shown)."""

    status: int
    field: str
    value: str
    text: str
    params: dict | tuple

    def message(self) -> str:
        return _(self.text) % self.params

    def reason(self) -> FieldError:
        """The reason as stored with the copy, in the deployment's language."""
        with translation.override(settings.HBMM_DATA_LANGUAGE):
            return FieldError(self.field, self.value, self.message())


def site_code(mapper: Mapper | None, data: dict):
    """What a submission's fields give for its mapper's site field (aliases applied), as sent."""
    site_field = getattr(mapper, "site_field", None)
    if mapper is None or not site_field:
        return None
    return apply_aliases(data, alias_map(mapper.aliases)).get(site_field)


def site_of_code(code) -> Site | None:
    """The site of a code as sent (any case, spaces around), when it is known."""
    if not isinstance(code, str) or not code.strip():
        return None
    return Site.objects.select_related("area").filter(code__iexact=code.strip()).first()


def site_named(mapper: Mapper | None, data: dict) -> Site | None:
    """The site a submission's fields name through its mapper's site field, when known."""
    return site_of_code(site_code(mapper, data))


def _may_write(sender, version: Submission, mapper: Mapper | None) -> bool:
    """Whether `sender` may change what `version` recorded: its site is in the sender's scope
    (a version with no site: a national sender, or its own submitter). No sender: the
    operator's command line (hbmm import without --user, demo data), trusted. A version not
    mapped (the mapping job has not reached it, or superseded before) is judged by the site
    its fields name."""
    if sender is None:
        return True
    scope = user_scope(sender)
    site = version.site or site_named(mapper, version.effective_data)
    if site is None:
        return scope.is_national or version.submitter_id == sender.pk
    return scope.contains_site(site)


def edit_refusal(
    *,
    submission_form: str,
    deprecated_id: str,
    versions: list[Submission],
    sender,
    mapper: Mapper | None,
) -> Refusal | None:
    """Why an edit (naming `deprecated_id`) may not replace `versions` (the version it names
    and its root's current version, those known), or None when it may: each is of the same
    form, the sender holds the form's permission, and each version's site is in the sender's
    scope. The new site is the mapper's to check, with the same sender."""
    for version in versions:
        params = {"previous": version.instance_id, "form": version.form_id}
        if version.form_id != submission_form:
            return Refusal(403, "deprecatedID", deprecated_id, EDIT_OTHER_FORM, params)
        if sender is not None and mapper is not None and not sender.has_perm(mapper.permission):
            return Refusal(403, "deprecatedID", deprecated_id, EDIT_NOT_ALLOWED, params)
        if not _may_write(sender, version, mapper):
            return Refusal(403, "deprecatedID", deprecated_id, EDIT_OUT_OF_SCOPE, params)
    return None
