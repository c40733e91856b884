from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Statutory returns and performance"

    def ready(self) -> None:
        from people import merging

        # What was last sent to DfE about a child, and the data quality list, are rebuilt from the record.
        merging.register_derived("returns.CscApiChildState.person", may_stay=True)
        merging.register_derived("returns.DataQualityIssue.person")
