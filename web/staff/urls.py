"""URLs of the CBP staff workspace, mounted at the site root."""

from django.urls import path

from . import case, queue

app_name = "staff"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    # The case page and its actions (issue 12 item 3).
    path("cases/<str:reference>/", case.case_page, name="case"),
    path("cases/<str:reference>/actions/<slug:action>/", case.case_action, name="case-action"),
]
