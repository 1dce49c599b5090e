"""Every periodic schedule names a task the worker knows."""

from celery.schedules import crontab

from config.celery_app import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "courses.attempts_close_overdue" in scheduled
    assert "certification.certificate_reminders_send" in scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


def test_expiry_reminders_run_once_a_day():
    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "certification.certificate_reminders_send"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1  # one run a day, every day
    assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31
