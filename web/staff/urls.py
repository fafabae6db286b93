"""URLs of the CBP staff workspace, mounted at the site root."""

from django.urls import path

from . import queue

app_name = "staff"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
]

# Account moves and the dashboard (issue 12, items 7 and 8).
from . import dashboard, moves, runs  # noqa: E402

urlpatterns += [
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("moves/", moves.moves_home, name="moves"),
    path("moves/find/", moves.find_account, name="find_account"),
    path("moves/accounts/<str:ior>/", moves.account_moves, name="account_moves"),
    path("moves/accounts/<str:ior>/pin/", moves.pin, name="pin_account"),
    path("moves/accounts/<str:ior>/unpin/", moves.unpin, name="unpin_account"),
    path("moves/accounts/<str:ior>/move/", moves.move, name="move_account"),
    path("moves/preview/", runs.preview, name="move_preview"),
    path("moves/preview.csv", runs.preview_csv, name="move_preview_csv"),
    path("moves/runs/", runs.runs, name="runs"),
    path("moves/runs/start/", runs.start_run, name="start_run"),
    path("moves/runs/<int:pk>/", runs.run_detail, name="run"),
    path("moves/runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("moves/hts-rules/", runs.hts_rule, name="hts_rule"),
]
