import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cee_portal.settings")

app = Celery("cee_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="cee_portal.ping")
def ping_task(value: int) -> int:
    """Echo a value back; proves the broker and a worker are reachable (no database)."""
    return value
