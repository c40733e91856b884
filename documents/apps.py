from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    label = "documents"
    verbose_name = "Documents and evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from people import merging

        from .record_sections import register

        register()
        # A document that concerns both records: the survivor keeps its own row, the merged record's row stays with
        # it (one row per document and person), so the merge is not refused and undoing it is exact. Undoing a
        # merge, a row added since goes with its document when the document is one of the things to assign.
        merging.register_follows(
            "documents.Document_concerns.person", lambda row: ("document", row.document_id), may_stay=True
        )
