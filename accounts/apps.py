from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        # Every login path (site, admin, API token) calls authenticate() and every logout path
        # logs out through django.contrib.auth, so their signals are the one place to hook.
        from accounts import language, receivers  # noqa: F401
