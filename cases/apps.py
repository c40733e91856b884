from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "The children's journey"

    def ready(self) -> None:
        from people import involvement

        from .record_sections import register
        from .relationships import provide

        register()
        involvement.register(provide)
