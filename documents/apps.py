from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    label = "documents"
    verbose_name = "Documents and evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .record_sections import register

        register()
