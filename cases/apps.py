from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "The children's journey"

    def ready(self) -> None:
        from people import involvement
        from recording.services import on_visit_corrected_to_seen

        from .record_sections import register
        from .relationships import provide
        from .services.visits import visit_corrected_to_seen

        register()
        involvement.register(provide)

        from people import merging

        from . import merge_checks

        merging.register_check(merge_checks.merge_check)
        merging.register_open_work(merge_checks.open_work)
        on_visit_corrected_to_seen(visit_corrected_to_seen)
