"""Importer-side routes of /api/v1/ (mounted by cee_portal/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("importers/", views.ImporterList.as_view(), name="api-importers"),
    path("importers/<str:ior>/", views.ImporterDetail.as_view(), name="api-importer"),
    # The account's broker delegations are served by cases.api.delegations (idempotent writes).
    path("entries/", views.EntryList.as_view(), name="api-entries"),
    path("entries/<str:entry_number>/", views.EntryDetail.as_view(), name="api-entry"),
    path("centers/", views.CenterList.as_view(), name="api-centers"),
    path("centers/<str:ace_id>/", views.CenterDetail.as_view(), name="api-center"),
    path("ports/", views.PortList.as_view(), name="api-ports"),
    path("ports/<str:code>/", views.PortDetail.as_view(), name="api-port"),
    path("hts-rules/", views.HtsRuleList.as_view(), name="api-hts-rules"),
    path("hts-centers/<str:hts_number>/", views.HtsCenter.as_view(), name="api-hts-center"),
]
