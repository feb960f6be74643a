"""The database queue's tasks in the admin, with what an administrator asks of them: which
ones gave up after their last try (and why), and a way to run those again."""

from django.apps import apps
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

GAVE_UP = "jobs.retry.GaveUp"

if apps.is_installed("django_tasks_db"):
    from django_tasks_db.admin import DBTaskResultAdmin
    from django_tasks_db.models import DBTaskResult

    class OutcomeFilter(admin.SimpleListFilter):
        title = _("outcome")
        parameter_name = "outcome"

        def lookups(self, request, model_admin):
            return [("gave_up", _("Gave up after the last try")), ("waiting", _("Waiting"))]

        def queryset(self, request, queryset):
            if self.value() == "gave_up":
                return queryset.filter(status="FAILED", exception_class_path=GAVE_UP)
            if self.value() == "waiting":
                return queryset.filter(status="READY")
            return queryset

    class TaskResultAdmin(DBTaskResultAdmin):
        list_display = [
            "task_name",
            "status",
            "outcome",
            "attempt",
            "enqueued_at",
            "display_run_after",
            "finished_at",
        ]
        list_filter = [OutcomeFilter, "status", "queue_name"]
        actions = ["run_again"]

        @admin.display(description=_("try"))
        def attempt(self, obj):
            return obj.args_kwargs.get("kwargs", {}).get("attempt", 1)

        @admin.display(description=_("outcome"))
        def outcome(self, obj):
            if obj.status == "FAILED" and obj.exception_class_path == GAVE_UP:
                return _("Gave up")
            if obj.status == "FAILED":
                return _("Failed: tried again later")
            return ""

        def has_run_again_permission(self, request):
            return request.user.is_superuser

        @admin.action(
            description=_("Run the selected tasks that gave up again"), permissions=["run_again"]
        )
        def run_again(self, request, queryset):
            ran = 0
            for result in queryset.filter(status="FAILED", exception_class_path=GAVE_UP):
                args, kwargs = result.args_kwargs["args"], result.args_kwargs["kwargs"]
                task = result.task.using(run_after=timezone.now())
                task.enqueue(*args, **{**kwargs, "attempt": 1})
                ran += 1
            self.message_user(
                request,
                ngettext("%(count)d task queued again.", "%(count)d tasks queued again.", ran)
                % {"count": ran},
                messages.SUCCESS if ran else messages.WARNING,
            )

    admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
