from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Article
from search.documents import refresh_search_vector

# taggit's own admin edits its generic tagged items, which our articles do not use.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles_taggedarticle_items"))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            refresh_search_vector(Article.objects.filter(tags=obj))

    def delete_model(self, request, obj):
        self.delete_queryset(request, Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        affected = list(
            Article.objects.filter(tags__in=queryset).values_list("pk", flat=True).distinct()
        )
        super().delete_queryset(request, queryset)
        refresh_search_vector(affected)

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, tag):
        return tag.article_count
