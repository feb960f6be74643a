from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from articles.forms import AuthorAdminForm
from articles.models import Article, Author, Section
from articles.signals import article_changed
from images.tasks import refresh_renditions_later


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "role", "slug", "user"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_renditions_later(obj, field="photo", store="photo_renditions")
        if change and "name" in form.changed_data:
            article_changed.send(
                sender=Article, articles=obj.articles.all(), fields=frozenset({"bylines"})
            )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class AuthorProfileInline(admin.StackedInline):
    """A writer's account and their byline are made together, so new articles start signed."""

    model = Author
    form = AuthorAdminForm
    fk_name = "user"
    extra = 0
    max_num = 1
    can_delete = False
    fields = ["name", "slug", "role", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    verbose_name = _("author profile (byline)")
    verbose_name_plural = _("author profile (byline)")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class NewsroomUserAdmin(UserAdmin):
    inlines = [AuthorProfileInline]
    list_display = [*UserAdmin.list_display, "roles"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # An author renamed here is searched under the new name too.
        for author, changed_fields in getattr(formset, "changed_objects", []):
            if "name" in changed_fields:
                article_changed.send(
                    sender=Article, articles=author.articles.all(), fields=frozenset({"bylines"})
                )

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all())
