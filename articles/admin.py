from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .models import Article, Author, Byline, Section


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["position", "author"]
    verbose_name = _("byline")
    verbose_name_plural = _("bylines (lowest position is named first)")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "genre", "status", "byline", "published_at"]
    list_filter = ["status", "section", "genre", ("authors", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["headline", "standfirst", "authors__name"]
    prepopulated_fields = {"slug": ["headline"]}
    date_hierarchy = "published_at"
    list_select_related = ["section"]
    inlines = [BylineInline]
    readonly_fields = ["created_at", "updated_at", "created_by"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body"]}),
        (_("Classification"), {"fields": ["section", "genre", "tags"]}),
        (
            _("Hero image"),
            {"fields": ["hero_image", "hero_image_alt", "hero_image_caption", "hero_image_credit"]},
        ),
        (_("Publication"), {"fields": ["status", "published_at"]}),
        (
            _("Record"),
            {"classes": ["collapse"], "fields": ["created_by", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    @admin.display(description=_("byline"))
    def byline(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "slug", "user"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
