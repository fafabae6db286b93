from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages (staff workspace and portal): model-free, composing cases' and importers' selectors,
    services and predicates; no domain module imports it (docs/architecture.md)."""

    name = "web"
