from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.forms.models import BaseInlineFormSet
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from js_asset import Media
from taggit.models import Tag

from articles import permissions, revisions
from articles.admin.planning import PlanningAdminMixin
from articles.admin.revisions import RevisionAdminMixin
from articles.admin.workflow import WorkflowAdminMixin, describe_state
from articles.assignments import PLANNING_FIELDS, record_assignment
from articles.diffs import compare
from articles.forms import ArticleAdminForm
from articles.models import Article, AuditEntry, Byline
from articles.pagination import CappedCountPaginator
from articles.previews import PreviewTag, make_share_url, render_preview
from articles.signals import article_changed, article_deleted, article_published
from articles.slugs import record_slug_change
from articles.workflow import State, record_save, state_of
from images.tasks import refresh_renditions_later


def bylines_in(formsets):
    """The authors the byline rows name, in position order, deleted rows left out."""
    rows = []
    for formset in formsets:
        if formset.model is not Byline:
            continue
        for n, row in enumerate(formset.forms):
            data = getattr(row, "cleaned_data", None) or {}
            if data.get("author") and not data.get("DELETE"):
                rows.append((data.get("position") or 0, n, data["author"]))
    return [author for _, _, author in sorted(rows, key=lambda row: row[:2])]


def store_pending_image(article, form):
    """A new image for a pending change is stored now, under its own name; the live article
    keeps its picture until the change is published."""
    upload = form.cleaned_data.get("hero_image")
    if upload is False:
        return ""
    if upload is None or isinstance(upload, FieldFile):
        return article.hero_image.name or ""
    field = Article._meta.get_field("hero_image")
    return field.storage.save(field.generate_filename(article, upload.name), upload)


def take_out_of_bin(article, *, by):
    # Saved, not updated: a piece that comes back, or goes, changes public pages, and the
    # caches hear of it through the save (pagecache.receivers).
    article.deleted_at = None
    article.save(update_fields=["deleted_at"])
    if article.status == Article.Status.PUBLISHED:
        article_published.send(sender=Article, article=article, by=by)
    AuditEntry.objects.create(
        article=article,
        article_headline=article.headline,
        user=by,
        action=AuditEntry.Action.UNDELETED,
        from_state=state_of(article),
        to_state=state_of(article),
    )


def move_to_bin(article, *, by):
    article.deleted_at = timezone.now()
    article.save(update_fields=["deleted_at"])
    article_deleted.send(sender=Article, article=article, by=by)
    AuditEntry.objects.create(
        article=article,
        article_headline=article.headline,
        user=by,
        action=AuditEntry.Action.DELETED,
        from_state=state_of(article),
        to_state=state_of(article),
    )


TAG_SUGGESTIONS = 20


class BylineForm(forms.ModelForm):
    class Meta:
        model = Byline
        fields = ["position", "author"]

    def validate_unique(self):
        # Bylines are rewritten as a whole on save (articles.revisions.replace_bylines), so a
        # row naming an author already on the article is no clash; the formset still refuses
        # the same author twice in one submission.
        pass

    def has_changed(self):
        # A row the desk pre-filled (the writer's own byline) counts even if left untouched;
        # otherwise Django would treat it as an empty extra row and drop it.
        return super().has_changed() or (
            self.instance.pk is None and bool(self.data.get(self.add_prefix("author")))
        )


class BylineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Rows are matched by author, not by id (save_related rewrites the byline as a whole),
        # so a form opened before a colleague's save is not refused for a stale row id.
        name = self.model._meta.pk.name
        form.fields[name] = forms.IntegerField(
            initial=form.fields[name].initial, required=False, widget=forms.HiddenInput
        )


class BylineInline(admin.TabularInline):
    model = Byline
    form = BylineForm
    formset = BylineFormSet

    def get_extra(self, request, obj=None, **kwargs):
        working = getattr(obj, "_working_bylines", None)
        if working is not None and request.method == "GET":
            return len(working) + 1
        return super().get_extra(request, obj, **kwargs)

    extra = 1
    autocomplete_fields = ["author"]
    fields = ["position", "author"]
    verbose_name = _("byline")
    verbose_name_plural = _("bylines (lowest position is named first)")


class OwnershipFilter(admin.SimpleListFilter):
    """Writers land on their own work; anyone can switch to everything they may see."""

    title = _("whose articles")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("My articles")), ("all", _("All articles"))]

    def value(self):
        value = super().value()
        if value is None and not permissions.can_publish(self.request.user):
            return "1"
        return value

    def queryset(self, request, queryset):
        self.request = request
        if self.value() == "1":
            return queryset.filter(permissions.contributed_by(request.user))
        return queryset

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def __init__(self, request, params, model, model_admin):
        self.request = request
        super().__init__(request, params, model, model_admin)


class BinFilter(admin.SimpleListFilter):
    """Deleted articles wait in the bin, out of every list unless asked for."""

    title = _("bin")
    parameter_name = "bin"

    def lookups(self, request, model_admin):
        return [("1", _("In the bin"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(deleted_at__isnull=False)
        return queryset.filter(deleted_at__isnull=True)


STATUS_COLOURS = {
    State.DRAFT: "#6b6b6b",
    State.IN_REVIEW: "#a15c00",
    State.CHANGES_REQUESTED: "#b3261e",
    State.SCHEDULED: "#1d5c8a",
    State.PUBLISHED: "#1b6e3a",
    State.UNPUBLISHED: "#444",
}


@admin.register(Article)
class ArticleAdmin(RevisionAdminMixin, WorkflowAdminMixin, PlanningAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["headline", "status_badge", "section", "genre", "byline", "published_at"]
    list_filter = [
        OwnershipFilter,
        BinFilter,
        "status",
        "section",
        "genre",
        # Every author, not only those with articles: finding "those with articles" reads
        # every byline on each page view.
        "authors",
        # Not date_hierarchy: its year links need a DISTINCT over every article's date.
        ("published_at", admin.DateFieldListFilter),
    ]
    search_fields = ["headline", "standfirst", "authors__name"]
    prepopulated_fields = {"slug": ["headline"]}
    list_select_related = ["section"]
    list_per_page = 50
    paginator = CappedCountPaginator
    # At 100,000 articles a second, unfiltered COUNT on every page view is wasted work.
    show_full_result_count = False
    inlines = [BylineInline]
    autocomplete_fields = ["assignee"]
    readonly_fields = ["length", "state", "created_at", "updated_at", "created_by"]
    fieldsets = [
        (
            None,
            {
                "classes": ["desk-writing"],
                "fields": ["base_revision", "headline", "standfirst", "body", "length"],
            },
        ),
        (_("Classification"), {"fields": ["section", "genre", "language", "tags"]}),
        (
            _("Hero image"),
            {"fields": ["hero_image", "hero_image_alt", "hero_image_caption", "hero_image_credit"]},
        ),
        (_("Publication"), {"fields": ["state", "slug"]}),
        (_("Planning"), {"fields": PLANNING_FIELDS}),
        (
            _("Search engines"),
            {"classes": ["collapse"], "fields": ["seo_title", "meta_description"]},
        ),
        (
            _("Record"),
            {"classes": ["collapse"], "fields": ["created_by", "created_at", "updated_at"]},
        ),
    ]

    class Media:
        css = {"all": ["articles/admin/desk.css"]}
        js = ["articles/admin/desk.js"]

    # Who sees and changes what: the rules live in articles.permissions.

    def get_queryset(self, request):
        return self.all_articles(request).filter(permissions.visible_to(request.user))

    def all_articles(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def get_object(self, request, object_id, from_field=None):
        # Looked up among all articles, so one the user may not touch is refused with a 403 by
        # the permission checks instead of being reported missing.
        queryset = self.all_articles(request)
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            article = queryset.get(**{field.name: field.to_python(object_id)})
        except (Article.DoesNotExist, ValidationError, ValueError):
            return None
        return self.open_working_copy(request, article)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or permissions.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and permissions.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not permissions.can_publish(request.user):
            # Assigning, due dates and priorities are the desk's: a writer sees them only.
            readonly += PLANNING_FIELDS
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"current_user": request.user})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if not isinstance(inline, BylineInline):
            return kwargs
        profile = getattr(request.user, "author_profile", None)
        working = getattr(obj, "_working_bylines", None)
        if working is not None and request.method == "GET":
            # The form opens on a revision: its bylines, not the article's saved ones.
            kwargs["queryset"] = Byline.objects.none()
            kwargs["initial"] = [
                {"author": author_id, "position": n} for n, author_id in enumerate(working)
            ]
        elif obj.pk is None and profile is not None:
            kwargs["initial"] = [{"author": profile.pk, "position": 0}]
        return kwargs

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_published else None

    # Saving.

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        else:
            self.mark_present(request, obj, editing=True)
        planned = [name for name in PLANNING_FIELDS if name in form.changed_data]
        assigned = "assignee" in planned and obj.assignee is not None
        # Readers keep the live version: a change to it waits as a pending revision.
        form.saves_pending = change and Article.objects.published().filter(pk=obj.pk).exists()
        if form.saves_pending:
            if planned:
                # Planning is not content: it changes now, the text waits for review.
                obj.save(update_fields=planned)
            if assigned:
                record_assignment(obj, by=request.user)
            return
        old_slug = Article.objects.filter(pk=obj.pk).values_list("slug", flat=True).first()
        super().save_model(request, obj, form, change)
        record_save(obj, by=request.user, created=not change)
        if assigned:
            record_assignment(obj, by=request.user)
        if change and obj.published_at and old_slug and old_slug != obj.slug:
            record_slug_change(obj, old_slug=old_slug)

    def save_related(self, request, form, formsets, change):
        article = form.instance
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        authors = bylines_in(formsets)
        profile = getattr(request.user, "author_profile", None)
        if not authors and profile is not None:
            authors = [profile]
        base = article.revisions.filter(pk=form.cleaned_data.get("base_revision") or 0).first()
        if form.saves_pending:
            content = revisions.content_of(
                article, bylines=authors, tags=form.cleaned_data.get("tags", [])
            )
            content["hero_image"] = store_pending_image(article, form)
            revisions.create_revision(
                article, by=request.user, content=content, pending=True, based_on=base
            )
            record_save(article, by=request.user, created=False, note="Pending change")
            messages.info(
                request,
                _(
                    "Saved as a pending change: readers still see the live version until it "
                    "is published."
                ),
            )
            return
        form.save_m2m()
        revisions.replace_bylines(article, [author.pk for author in authors])
        article_changed.send(
            sender=Article, articles=Article.objects.filter(pk=article.pk), fields=None
        )
        refresh_renditions_later(article, field="hero_image", store="hero_renditions")
        revisions.create_revision(article, by=request.user, based_on=base)

    def save_formset(self, request, form, formset, change):
        # Bylines are written by save_related, all at once, in their final order.
        if formset.model is not Byline:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # Deleting moves to the bin, keeping revisions and the audit trail.

    def delete_model(self, request, obj):
        move_to_bin(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            move_to_bin(article, by=request.user)

    @admin.action(description=_("Restore selected from the bin"), permissions=["delete"])
    def restore_from_bin(self, request, queryset):
        restored = 0
        for article in queryset.filter(deleted_at__isnull=False):
            take_out_of_bin(article, by=request.user)
            restored += 1
        self.message_user(request, _("%(n)d article(s) restored from the bin.") % {"n": restored})

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.GET.get("bin") != "1":
            actions.pop("restore_from_bin", None)
        else:
            actions.pop("delete_selected", None)
        return actions

    def get_deleted_objects(self, objs, request):
        names = [str(obj) for obj in objs]
        perms_needed = set()
        if not self.has_delete_permission(request):
            perms_needed.add(self.opts.verbose_name)
        return names, {self.opts.verbose_name_plural: len(names)}, perms_needed, []

    # What the list and the form show.

    @staticmethod
    def badge(article, text):
        return format_html(
            '<span class="desk-badge" style="background:{}">{}</span>',
            STATUS_COLOURS.get(state_of(article), "#444"),
            text,
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, article):
        # Without a live piece's pending change: that would cost a query per row.
        return self.badge(article, describe_state(article, with_change=False))

    @admin.display(description=_("state"))
    def state(self, article):
        if article.pk is None:
            return _("Draft (new)")
        return self.badge(article, describe_state(article))

    @admin.display(description=_("byline"))
    def byline(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    @admin.display(description=_("length"))
    def length(self, article):
        return format_html(
            "<span data-word-count>{}</span> words · <span data-reading-time>{}</span> min read",
            article.word_count,
            article.reading_minutes,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.workflow_context(request, obj))
            context.update(self.revision_context(request, obj))
            if request.method == "GET" and self.has_change_permission(request, obj):
                self.mark_present(request, obj)
            conflict = getattr(context["adminform"].form, "conflict", None)
            if conflict:
                theirs = conflict["theirs"].content
                mine_base = (
                    conflict["base"].content if conflict["base"] else conflict["copy"].content
                )
                context["conflict"] = {**conflict, "diff": compare(mine_base, theirs)}
        if obj is not None and obj.pk and not obj.is_published:
            context["share_preview_url"] = request.build_absolute_uri(make_share_url(obj))
            context["share_link_days"] = settings.NEWSROOM_PREVIEW_LINK_DAYS
        # The editor's import map is an inline script: it carries the request's CSP nonce.
        context["media"] = Media.from_media(
            context["media"], nonce=getattr(request, "csp_nonce", None)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Views of the desk's own: tag suggestions and previews.

    change_list_template = "admin/articles/article/change_list.html"
    object_history_template = "admin/articles/article/object_history.html"

    def changelist_view(self, request, extra_context=None):
        queue_size = None
        if permissions.can_publish(request.user):
            queue_size = Article.objects.filter(status=Article.Status.IN_REVIEW).count()
        return super().changelist_view(request, {"queue_size": queue_size, **(extra_context or {})})

    def get_urls(self):
        own = [
            path(
                "tags/",
                self.admin_site.admin_view(self.tag_suggestions),
                name="articles_article_tags",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview_new",
            ),
        ]
        return (
            own
            + self.workflow_urls()
            + self.planning_urls()
            + self.revision_urls()
            + super().get_urls()
        )

    def tag_suggestions(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()[:100]
        tags = Tag.objects.order_by("name")
        if term:
            tags = tags.filter(name__icontains=term)
        names = list(tags.values_list("name", flat=True)[:TAG_SUGGESTIONS])
        return JsonResponse({"results": names})

    @method_decorator(never_cache)
    def preview_view(self, request, object_id=None):
        """The article as readers would see it: as saved (GET) or as typed in the form (POST)."""
        saved = None
        if object_id is not None:
            saved = self.get_object(request, unquote(object_id))
            if saved is None:
                raise Http404
        if not self.has_view_permission(request, saved):
            raise PermissionDenied
        if saved is None and not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            if saved is None:
                raise Http404
            return render_preview(
                request, saved, bylines=saved.bylines.all(), tags=saved.tags.all()
            )

        # A fresh copy takes the form's values, so nothing typed here touches what is stored.
        draft = self.get_object(request, unquote(object_id)) if saved else Article()
        form_class = self.get_form(request, saved, change=saved is not None)
        # A preview saves nothing, so it is never a conflict and never stores a conflict copy.
        form_class = type(form_class.__name__, (form_class,), {"check_conflicts": False})
        form = form_class(request.POST, request.FILES, instance=draft)
        bylines_formset = BylineInline(self.model, self.admin_site).get_formset(request, draft)(
            request.POST, instance=draft, prefix="bylines"
        )
        if not (form.is_valid() and bylines_formset.is_valid()):
            errors = [f"{name}: {' '.join(messages)}" for name, messages in form.errors.items()]
            errors += [str(error) for error in bylines_formset.non_form_errors()]
            errors += [str(error) for error in bylines_formset.errors if error]
            return TemplateResponse(
                request,
                "admin/articles/article/preview_invalid.html",
                {**self.admin_site.each_context(request), "errors": errors, "opts": self.opts},
                status=400,
            )
        article = form.save(commit=False)
        bylines = sorted(
            (
                Byline(author=data["author"], position=data.get("position") or 0)
                for data in bylines_formset.cleaned_data
                if data.get("author") and not data.get("DELETE")
            ),
            key=lambda byline: byline.position,
        )
        tags = [PreviewTag(name) for name in form.cleaned_data.get("tags", [])]
        return render_preview(request, article, bylines=bylines, tags=tags)
