"""Form fields shared by the apps' pages."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hbmm.tabular import XLSX_MAGIC, TableError, xlsx_archive_check


class DateInput(forms.DateInput):
    """A date picked with the browser's date input."""

    input_type = "date"


class TabularFileField(forms.FileField):
    """An uploaded CSV or XLSX file, refused before anything reads it when it is empty, larger
    than HBMM_MAX_UPLOAD_BYTES (or `max_bytes`, when smaller), or an XLSX archive that expands
    out of bounds (`hbmm.tabular.xlsx_archive_check`). Every upload page of tables uses it."""

    def __init__(self, *args, max_bytes: int | None = None, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return upload
        limit = settings.HBMM_MAX_UPLOAD_BYTES
        if self.max_bytes is not None:
            limit = min(limit, self.max_bytes)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)},
                code="too_large",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        head = upload.read(4)
        upload.seek(0)
        if head == XLSX_MAGIC or upload.name.lower().endswith(".xlsx"):
            try:
                xlsx_archive_check(upload)
            except TableError as exc:
                raise forms.ValidationError(
                    _("The file cannot be read as a table: %(e)s") % {"e": exc}, code="xlsx"
                ) from exc
        return upload
