"""URLs of the CBP staff workspace, mounted at the site root."""

from django.urls import path

from .. import notifications
from . import account, case, entry, packet, queue, queue_actions, queue_export

app_name = "staff"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/counts/", queue.counts, name="queue_counts"),
    path("queue/export.csv", queue_export.export, name="queue_export"),
    path("queue/bulk/", queue_actions.bulk, name="queue_bulk"),
    path("queue/filters/", queue_actions.save_filter, name="queue_save_filter"),
    path("queue/filters/<int:pk>/delete/", queue_actions.delete_filter, name="queue_delete_filter"),
    path("search/", queue_actions.search, name="search"),
    # The case, entry and account pages (issue 12 items 3-6); /accounts/ is Django's sign-in.
    path("cases/<str:reference>/", case.case_page, name="case"),
    path("cases/<str:reference>/actions/<slug:action>/", case.case_action, name="case-action"),
    path("cases/<str:reference>/packet.zip", packet.case_packet, name="case-packet"),
    path("entries/", entry.entry_search_page, name="entry-search"),
    path("entries/<str:number>/", entry.entry_page, name="entry"),
    path("importers/<str:ior>/", account.account_page, name="account"),
]

# Account moves and the dashboard (issue 12, items 7 and 8).
from . import dashboard, moves, runs  # noqa: E402

urlpatterns += [
    path("notifications/", notifications.staff_preferences, name="notifications"),
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
