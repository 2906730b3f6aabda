"""Django's task framework wherever we run: django.tasks from Django 6.0, the django-tasks
backport on Django 5.2. Everything else imports `task` and the backend paths from here."""

try:
    from django.tasks import default_task_backend, task, task_backends

    BACKENDS = "django.tasks.backends"
except ImportError:  # Django 5.2
    from django_tasks import default_task_backend, task, task_backends

    BACKENDS = "django_tasks.backends"

# Runs the task at once, in the caller (the tests).
IMMEDIATE_BACKEND = f"{BACKENDS}.immediate.ImmediateBackend"
# Keeps what was enqueued without running it (tests that assert a job was queued).
DUMMY_BACKEND = f"{BACKENDS}.dummy.DummyBackend"
# The queue in the database that `manage.py db_worker` runs (settings.TASKS).
DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"

__all__ = [
    "DATABASE_BACKEND",
    "DUMMY_BACKEND",
    "IMMEDIATE_BACKEND",
    "default_task_backend",
    "task",
    "task_backends",
]
