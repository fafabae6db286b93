"""The cases side of the REST API (/api/v1/): the queue, case pages, filings and actions."""
