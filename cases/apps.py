from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from . import (  # noqa: F401
            notifications,  # registers the outbox handler
            receivers,  # follows importer-side changes (importers/signals.py)
        )
