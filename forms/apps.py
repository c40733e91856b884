from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "forms"
    label = "forms"
    verbose_name = "Forms as data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The binding targets register themselves when the module is imported.
        from . import bindings  # noqa: F401
        from .record_sections import register

        register()
