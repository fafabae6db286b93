from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "cee_portal.users"
    label = "users"
    verbose_name = "Users"
