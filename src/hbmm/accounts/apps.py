from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hbmm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from hbmm.accounts import signals  # noqa: F401  (the audit log receivers)
