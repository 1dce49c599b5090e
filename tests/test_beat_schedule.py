"""Every periodic schedule names a task the worker knows."""

from config.celery_app import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "courses.attempts_close_overdue" in scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
