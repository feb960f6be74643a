"""Django's task API: `django.tasks` from Django 6 on, the django-tasks backport before it."""

try:
    from django.tasks import task, task_backends
except ImportError:  # Django 5.2
    from django_tasks import task, task_backends

__all__ = ["task", "task_backends"]
