"""URLs of the importer and broker portal, mounted at /portal/."""

from django.urls import path

from . import home

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
]
