from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = "Importers, entries and reference data"

    def ready(self) -> None:
        from .accounts import notifications  # noqa: F401  (registers the outbox handlers)
        from .entries import bulk  # noqa: F401  (registers the any_of lookup)
