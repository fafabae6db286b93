"""URLs of the CBP staff workspace, mounted at the site root."""

from django.urls import path

from . import queue

app_name = "staff"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
]
