from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "bundles"
    label = "bundles"
    verbose_name = "Court and conference bundles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .record_sections import register

        register()
