"""Project configuration: settings, URLs, WSGI and the Celery app."""

# Importing the Celery app here binds every @shared_task to it; without this, tasks bind to a
# default app whose messages never reach Redis.
from .celery import app as celery_app

__all__ = ["celery_app"]
