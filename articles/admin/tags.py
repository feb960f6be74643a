from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from taggit import models as taggit

from articles.models import Article, Tag
from articles.signals import article_changed

# taggit's own admin edits its generic tagged items, which our articles do not use; the desk's
# is registered on articles.Tag, a proxy, so tags are listed under the newsroom's heading.
admin.site.unregister(taggit.Tag)


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
            article_changed.send(
                sender=Article,
                articles=Article.objects.filter(tags=obj),
                fields=frozenset({"tags"}),
            )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        affected = list(
            Article.objects.filter(tags__in=queryset).values_list("pk", flat=True).distinct()
        )
        super().delete_queryset(request, queryset)
        article_changed.send(
            sender=Article,
            articles=Article.objects.filter(pk__in=affected),
            fields=frozenset({"tags"}),
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, tag):
        return tag.article_count
