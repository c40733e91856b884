from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "The children's journey"

    def ready(self) -> None:
        from .record_sections import register

        register()
