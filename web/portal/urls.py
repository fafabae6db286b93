"""URLs of the importer and broker portal, mounted at /portal/."""

from django.urls import include, path

from . import home

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("file/", include("web.portal.filing.urls")),
]
