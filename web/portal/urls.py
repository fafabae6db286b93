"""URLs of the importer and broker portal, mounted at /portal/."""

from django.urls import include, path

from .. import documents, notifications
from . import cases, home, invitations, people

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("file/", include("web.portal.filing.urls")),
    path("cases/<str:reference>/", cases.case_page, name="case"),
    path("cases/<str:reference>/documents/", cases.upload, name="case-upload"),
    path("cases/<str:reference>/messages/", cases.message, name="case-message"),
    path("documents/<int:pk>/", documents.download, name="document"),
    path("accounts/<str:ior>/people/", people.people, name="people"),
    path("accounts/<str:ior>/people/<int:user_id>/remove/", people.remove, name="people-remove"),
    path(
        "accounts/<str:ior>/invitations/<int:pk>/cancel/", people.cancel_invitation, name="invitation-cancel"
    ),
    path("accounts/<str:ior>/delegations/", people.delegations, name="delegations"),
    path("accounts/<str:ior>/delegations/<int:pk>/revoke/", people.revoke, name="delegation-revoke"),
    path("invitations/<str:token>/", invitations.accept, name="invitation"),
    path("notifications/", notifications.portal_preferences, name="notifications"),
]
