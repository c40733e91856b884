from django.apps import AppConfig


class RecordingConfig(AppConfig):
    name = "recording"
    verbose_name = "Case notes, visits and the chronology"

    def ready(self) -> None:
        from .record_sections import register

        register()
