from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "cee_portal.users"
    label = "users"
    verbose_name = "Users"

    def ready(self) -> None:
        from . import audit  # noqa: F401  (records sign-in events from Django's auth signals)
