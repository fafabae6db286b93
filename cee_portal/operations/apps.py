from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Plumbing shared by cases and importers: the transactional outbox and periodic job records."""

    name = "cee_portal.operations"
    label = "operations"
    verbose_name = "Operations"
