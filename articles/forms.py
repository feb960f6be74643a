"""Admin forms of the writing desk: tag entry, image checks, slugs and the status a role may set."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from articles import revisions
from articles.models import Article, Author, Revision
from images.uploads import clean_image_upload

MAX_TAGS = 20
MAX_TAG_LENGTH = 100


class TagsWidget(forms.SelectMultiple):
    """A select2 box in "tags" mode: existing tags autocomplete, new ones are typed in."""

    class Media:
        js = [
            "admin/js/vendor/jquery/jquery.js",
            "admin/js/vendor/select2/select2.full.js",
            "admin/js/jquery.init.js",
            "articles/admin/tags.js",
        ]
        css = {"screen": ["admin/css/vendor/select2/select2.css", "admin/css/autocomplete.css"]}

    def __init__(self, attrs=None):
        attrs = {
            "class": "desk-tags",
            "data-autocomplete-url": reverse_lazy("admin:articles_article_tags"),
            **(attrs or {}),
        }
        super().__init__(attrs)

    def format_value(self, value):
        names = []
        for item in value or []:
            names.append(getattr(item, "name", item))
        return [str(name) for name in names if name]

    def optgroups(self, name, value, attrs=None):
        # Only the chosen tags are rendered as options; the rest arrive by autocomplete.
        options = [
            self.create_option(name, tag, tag, True, index) for index, tag in enumerate(value)
        ]
        return [(None, options, 0)]


class TagNamesField(forms.Field):
    widget = TagsWidget

    def to_python(self, value):
        if isinstance(value, str):
            value = [value]
        seen, names = set(), []
        # Commas separate tags even without the select2 box (no JavaScript, a script, a paste).
        pieces = [piece for raw in value or [] for piece in str(raw).split(",")]
        for piece in pieces:
            name = " ".join(piece.split())
            # Tags differing only in case are one tag; the first spelling wins.
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(n)d tags."), params={"n": MAX_TAGS})
        for name in value:
            if len(name) > MAX_TAG_LENGTH or not slugify(name):
                raise forms.ValidationError(
                    _("“%(name)s” is not a usable tag (1–100 characters with a letter or digit)."),
                    params={"name": name[:40]},
                )


def clean_new_image(value):
    """Run a fresh upload through the image checks; keep an already stored image as it is."""
    if isinstance(value, UploadedFile):
        return clean_image_upload(value)
    return value


class ArticleAdminForm(forms.ModelForm):
    # Set per request by ArticleAdmin.get_form.
    current_user = None
    check_conflicts = True

    tags = TagNamesField(label=_("Tags"), required=False)
    # The revision this form was opened on: a save made on top of someone else's is refused.
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "standfirst",
            "body",
            "section",
            "genre",
            "language",
            "tags",
            "hero_image",
            "hero_image_alt",
            "hero_image_caption",
            "hero_image_credit",
            "seo_title",
            "meta_description",
        ]
        widgets = {
            "headline": forms.TextInput(attrs={"class": "desk-headline", "autocomplete": "off"}),
            "standfirst": forms.Textarea(attrs={"rows": 3, "class": "desk-standfirst"}),
            "meta_description": forms.Textarea(attrs={"rows": 3, "data-count-chars": "160"}),
            "seo_title": forms.TextInput(attrs={"data-count-chars": "70", "size": 70}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Filled from the headline when left empty.")
        if "language" in self.fields:
            self.fields["language"].required = False
        if "priority" in self.fields:
            self.fields["priority"].required = False
        working_tags = getattr(self.instance, "_working_tags", None)
        if working_tags is not None:
            self.initial["tags"] = working_tags
        if self.instance.pk:
            latest = revisions.working_revision(self.instance)
            self.initial["base_revision"] = latest.pk if latest else 0

    def clean_priority(self):
        return self.cleaned_data.get("priority") or Article.Priority.NORMAL

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.check_conflicts:
            self.check_for_conflict(cleaned.get("base_revision") or 0)
        return cleaned

    def check_for_conflict(self, base_id):
        # Locked until this request's transaction ends, so of two simultaneous saves one
        # waits here and then finds the other's revision.
        article = revisions.lock(self.instance)
        latest = revisions.working_revision(article)
        if (latest.pk if latest else 0) == base_id:
            return
        base = article.revisions.filter(pk=base_id).first()
        copy = revisions.create_revision(
            article,
            by=self.current_user,
            content=revisions.content_from_post(self.data),
            kind=Revision.Kind.CONFLICT,
            based_on=base,
        )
        self.conflict = {"base": base, "theirs": latest, "copy": copy}
        # Shown again with what this editor typed; saving once more means "merged by hand".
        self.data = self.data.copy()
        self.data["base_revision"] = str(latest.pk)
        who = latest.created_by or _("someone")
        when = date_format(timezone.localtime(latest.created_at), "SHORT_DATETIME_FORMAT")
        compare_url = reverse("admin:articles_article_compare", args=[article.pk])
        raise forms.ValidationError(
            format_html(
                _(
                    "{who} saved this article on {when}, after you opened it. Your text is "
                    'kept below (and as conflict copy #{copy}); check <a href="{url}">what '
                    "they changed</a>, merge by hand, then save again."
                ),
                who=who,
                when=when,
                copy=copy.number,
                url=f"{compare_url}?from={(base or copy).pk}&to={latest.pk}",
            ),
            code="conflict",
        )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("headline", ""))
        if not slug:
            return slug
        base, n = slug[:240], 2
        taken = Article.objects.exclude(pk=self.instance.pk)
        if self.data.get("slug"):
            # An editor's explicit slug is kept as typed; a clash is for them to resolve.
            return slug
        while taken.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def clean_language(self):
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE

    def clean_hero_image(self):
        return clean_new_image(self.cleaned_data.get("hero_image"))


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "role", "bio", "photo", "user"]

    def clean_photo(self):
        return clean_new_image(self.cleaned_data.get("photo"))
