"""Celery tasks of certificate batches."""
