"""Case routes of /api/v1/ (mounted by cee_portal/urls.py)."""

from django.urls import path

from . import actions, delegations, documents, views

ACTIONS = {
    "amend": actions.Amend,
    "reply": actions.Reply,
    "object": actions.Object,
    "withdraw": actions.Withdraw,
    "accelerated-disposition": actions.AcceleratedDisposition,
    "claim": actions.Claim,
    "assign": actions.Assign,
    "start-review": actions.StartReview,
    "request-information": actions.RequestInformation,
    "notice-of-action": actions.NoticeOfAction,
    "decide": actions.Decide,
    "further-review": actions.FurtherReview,
    "suspend": actions.Suspend,
    "resume": actions.Resume,
    "close": actions.Close,
}

urlpatterns = [
    path("importers/<str:ior>/delegations/", delegations.Delegations.as_view(), name="api-delegations"),
    path(
        "importers/<str:ior>/delegations/<str:public_id>/revoke/",
        delegations.RevokeDelegation.as_view(),
        name="api-delegation-revoke",
    ),
    path("cases/", views.CaseList.as_view(), name="api-cases"),
    path("filings/protests/", views.FileProtest.as_view(), name="api-file-protest"),
    path("filings/pscs/", views.FilePsc.as_view(), name="api-file-psc"),
    path("filings/pics/", views.FilePic.as_view(), name="api-file-pic"),
    path("cases/<str:reference>/", views.CaseDetail.as_view(), name="api-case"),
    path("cases/<str:reference>/documents/", documents.Documents.as_view(), name="api-case-documents"),
    path(
        "cases/<str:reference>/documents/<str:sha256>/",
        documents.DocumentDownload.as_view(),
        name="api-case-document",
    ),
    path("cases/<str:reference>/messages/", documents.Messages.as_view(), name="api-case-messages"),
    *[
        path(f"cases/<str:reference>/{name}/", view.as_view(), name=f"api-case-{name}")
        for name, view in ACTIONS.items()
    ],
]
