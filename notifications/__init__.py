"""In-app notifications, the e-mail outbox sent by Celery workers, preferences and reminders."""
