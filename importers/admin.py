"""Imports in the admin, for administrators: upload an export, read the dry run's report, then
confirm; every import that ran is listed with its report."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from importers import uploads
from importers.forms import ConfirmForm, ImportForm
from importers.items import SourceError
from importers.loading import Options, Report, import_items
from importers.models import ImportRun, Source


def reader_for(source):
    if source == Source.WORDPRESS:
        from importers.wordpress import read_wordpress

        return read_wordpress
    from importers.ghost import read_ghost

    return read_ghost


def run_import(path, *, source, genre, with_users, by, dry_run, file_name):
    options = Options(
        source=source,
        by=by,
        genre=genre,
        with_users=with_users,
        dry_run=dry_run,
        log=lambda line: None,
    )
    with path.open("rb") as export:
        return import_items(reader_for(source)(export), options=options, file_name=file_name)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "source", "file_name", "site", "by"]
    list_filter = ["source"]
    fields = ["source", "file_name", "site", "started_at", "finished_at", "by", "summary"]
    readonly_fields = fields

    @admin.display(description=_("report"))
    def summary(self, run):
        saved = run.report
        report = Report(site=saved.get("site", ""), notes=list(saved.get("notes", [])))
        report.counts.update(saved.get("counts", {}))
        report.dropped.update(saved.get("dropped", {}))
        report.skipped.update(saved.get("skipped", {}))
        return format_html_join("\n", "<p>{}</p>", ((line,) for line in report.lines()))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def get_urls(self):
        new = self.admin_site.admin_view(self.new_import_view)
        return [path("new/", new, name="importers_importrun_new"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "new_import_url": reverse("admin:importers_importrun_new"),
        }
        return super().changelist_view(request, extra_context)

    def new_import_view(self, request):
        if not (request.user.is_active and request.user.is_superuser):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        if request.method == "POST" and "token" in request.POST:
            return self.confirm(request, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            token = uploads.keep(data["export"])
            file_name = data["export"].name[:300]
            try:
                report = run_import(
                    uploads.path_of(token),
                    source=data["source"],
                    genre=data["genre"],
                    with_users=data["with_users"],
                    by=request.user,
                    dry_run=True,
                    file_name=file_name,
                )
            except SourceError as exc:
                uploads.path_of(token).unlink()
                form.add_error("export", str(exc))
            else:
                confirm = ConfirmForm(initial={**data, "token": token, "file_name": file_name})
                return TemplateResponse(
                    request,
                    "admin/importers/dry_run.html",
                    {**context, "report": report.lines(), "confirm": confirm},
                )
        return TemplateResponse(request, "admin/importers/new.html", {**context, "form": form})

    def confirm(self, request, context):
        form = ConfirmForm(request.POST)
        kept = uploads.path_of(request.POST.get("token")) if form.is_valid() else None
        if kept is None:
            messages.error(request, _("That upload is gone: upload the export again."))
            return HttpResponseRedirect(reverse("admin:importers_importrun_new"))
        data = form.cleaned_data
        try:
            run_import(
                kept,
                source=data["source"],
                genre=data["genre"],
                with_users=data["with_users"],
                by=request.user,
                dry_run=False,
                file_name=data["file_name"],
            )
        except SourceError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:importers_importrun_new"))
        finally:
            kept.unlink(missing_ok=True)
        run = ImportRun.objects.filter(by=request.user).order_by("-started_at").first()
        messages.success(request, _("Imported: the report is below."))
        return HttpResponseRedirect(reverse("admin:importers_importrun_change", args=[run.pk]))
