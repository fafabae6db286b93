"""URLs of the CBP staff workspace, mounted at the site root."""

from django.urls import path

from . import case, queue, queue_actions, queue_export

app_name = "staff"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/counts/", queue.counts, name="queue_counts"),
    path("queue/export.csv", queue_export.export, name="queue_export"),
    path("queue/bulk/", queue_actions.bulk, name="queue_bulk"),
    path("queue/filters/", queue_actions.save_filter, name="queue_save_filter"),
    path("queue/filters/<int:pk>/delete/", queue_actions.delete_filter, name="queue_delete_filter"),
    path("search/", queue_actions.search, name="search"),
    path("cases/<str:reference>/", case.case, name="case"),
]
