from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users, teams and roles"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (sign-in audit events)
