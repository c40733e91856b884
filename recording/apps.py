from django.apps import AppConfig


class RecordingConfig(AppConfig):
    name = "recording"
    verbose_name = "Case notes, visits and the chronology"

    def ready(self) -> None:
        from people import merging

        from .record_sections import register

        register()
        # A chronology entry goes with the case note, visit or other record it summarises when a merge is undone.
        merging.register_follows("recording.ChronologyEntry.person", lambda entry: (entry.source_type, entry.source_id))
