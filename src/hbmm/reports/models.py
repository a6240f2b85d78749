"""The reports app stores nothing: it reads every domain through its selectors.

`Report` is an unmanaged model without a table; it only carries the app's permissions, so that
roles can be granted "see the situation overview" and "export the records behind a figure".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "view_situation",
                _("Can see the situation overview and download the situation report"),
            ),
            ("export_figures", _("Can export the records behind a figure (CSV, XLSX)")),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
