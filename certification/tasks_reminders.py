"""Celery tasks of certificate expiry reminders."""
