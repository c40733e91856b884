from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    label = "retention"
    verbose_name = "Retention and disposal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .hooks import register

        register()
