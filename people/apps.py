from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from . import involvement

        involvement.register(involvement.added_by)

        from .admin_sections import register

        register()
