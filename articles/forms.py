"""Admin forms of the writing desk: tag entry, image checks, slugs and the status a role may set."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .images import clean_image_upload
from .models import Article, Author

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
    tags = TagNamesField(label=_("Tags"), required=False)

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "standfirst",
            "body",
            "section",
            "genre",
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
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Filled from the headline when left empty.")

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

    def clean_hero_image(self):
        return clean_new_image(self.cleaned_data.get("hero_image"))


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "role", "bio", "photo", "user"]

    def clean_photo(self):
        return clean_new_image(self.cleaned_data.get("photo"))
