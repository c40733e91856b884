from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    label = "sync"
    verbose_name = "Offline working and sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .admin_sections import register

        register()
