import math
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.public_urls import public_url
from articles.sanitize import EDITOR_EXTENSIONS, sanitize_html

MARKUP = re.compile(r"<[^>]*>")

# First path segments the site itself answers; a section with one of these slugs would
# shadow (or be shadowed by) a real page, so it is refused.
RESERVED_SECTION_SLUGS = frozenset(
    {
        "admin",
        "authors",
        "tags",
        "search",
        "feed",
        "atom",
        "static",
        "media",
        "sitemap.xml",
        "news-sitemap.xml",
        "robots.txt",
        "favicon.ico",
        "preview",
        "api",
        "accounts",
        "login",
        "logout",
        "archive",
        "i18n",
        "en",
        "fr",
        "health",
        "healthz",
        "about",
        "page",
    }
)

WORDS_PER_MINUTE = 230


def default_language():
    return settings.LANGUAGE_CODE


# An article slug the site answers itself under every section (/<section>/feed/).
RESERVED_ARTICLE_SLUGS = frozenset({"feed", "atom", "page"})


def validate_article_slug(value):
    if value.lower() in RESERVED_ARTICLE_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for a site page; choose another slug for this article."),
            code="reserved_slug",
            params={"slug": value},
        )


def validate_section_slug(value):
    if value.lower() in RESERVED_SECTION_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for a site page; choose another slug for this section."),
            code="reserved_slug",
            params={"slug": value},
        )


class Author(models.Model):
    # The name is kept exactly as the byline is written ("Titi KEITA"): never title-cased.
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    role = models.CharField(_("role"), max_length=120, blank=True, help_text=_("e.g. Columnist"))
    bio = models.TextField(_("short bio"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="authors/%Y/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return public_url("articles:author", slug=self.slug)

    @property
    def photo_picture(self):
        from images.renditions import picture

        return picture(self.photo_renditions, self._meta.get_field("photo").storage)


class Section(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, validators=[validate_section_slug]
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=sorted(RESERVED_SECTION_SLUGS)),
                name="section_slug_not_reserved",
                violation_error_message=_("This slug is reserved for a site page."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return public_url("articles:section", slug=self.slug)


LIST_SKIPS = ("body", "search_vector")
# What a story link in a read-next list shows (public/templatetags/stories.py, story_link).
LINK_FIELDS = ("id", "headline", "slug", "section", "genre", "language", "published_at")


def bylines_prefetch():
    """Ordered bylines with their authors, as every page and list shows them."""
    return Prefetch("bylines", queryset=Byline.objects.select_related("author"))


def page_prefetches():
    """An article page's ordered bylines with their authors, and its taggings with their tags in
    the order the desk gave them."""
    return [
        bylines_prefetch(),
        Prefetch(
            "tagged_items",
            queryset=TaggedArticle.objects.select_related("tag").order_by("pk"),
        ),
    ]


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """The one definition of public: published, and its time has come (by `at`, default
        now)."""
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=at or timezone.now(),
            deleted_at__isnull=True,
        )

    def with_byline(self):
        """What any list of articles shows: section and ordered bylines, in fixed queries."""
        return self.select_related("section").prefetch_related(bylines_prefetch())

    def for_lists(self):
        """A list shows headlines and standfirsts: bodies and search vectors stay in the
        database (together most of a row's bytes)."""
        return self.with_byline().defer(*LIST_SKIPS)

    def with_page_related(self):
        return self.with_byline().prefetch_related("tags").defer("search_vector")

    def for_page(self):
        """What an article page shows: the article (its search vector stays in the database),
        its section, its ordered bylines with their authors, and its taggings with their tags
        in the order the desk gave them (a prefetch of "tags" has no order), in three queries."""
        return self.for_page_story().prefetch_related(*page_prefetches())

    def for_page_story(self):
        """The article and its section, for a page that fetches the rest only if it draws it
        (prefetch_related_objects() with page_prefetches())."""
        return self.select_related("section").defer("search_vector")

    def for_links(self):
        """What a story link shows (headline, kicker, date), and nothing else."""
        return self.select_related("section").only(*LINK_FIELDS)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    class Genre(models.TextChoices):
        NEWS = "news", _("News")
        OPINION = "opinion", _("Opinion")
        ANALYSIS = "analysis", _("Analysis")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")
        LOW = 3, _("Low")

    headline = models.CharField(_("headline"), max_length=250)
    slug = models.SlugField(
        _("slug"), max_length=255, unique=True, validators=[validate_article_slug]
    )
    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("The short summary shown under the headline.")
    )
    body = ProseEditorField(
        _("body"), extensions=EDITOR_EXTENSIONS, sanitize=sanitize_html, blank=True
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    genre = models.CharField(_("genre"), max_length=20, choices=Genre, default=Genre.NEWS)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=default_language,
        help_text=_("The language the piece is written in."),
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors")
    )
    tags = TaggableManager(_("tags"), through="TaggedArticle", blank=True)

    # Dimensions are stored with the image so pages never open the file to size it.
    hero_image = models.ImageField(
        _("hero image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="hero_image_width",
        height_field="hero_image_height",
    )
    hero_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_image_alt = models.CharField(_("alt text"), max_length=250, blank=True)
    hero_image_caption = models.CharField(_("caption"), max_length=400, blank=True)
    hero_image_credit = models.CharField(_("credit"), max_length=200, blank=True)
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)

    seo_title = models.CharField(
        _("SEO title"),
        max_length=70,
        blank=True,
        help_text=_("Shown in search results and browser tabs; the headline when empty."),
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=160,
        blank=True,
        help_text=_("Shown under the title in search results; the standfirst when empty."),
    )

    # Planning: a piece can be assigned and budgeted before a word of it is written. Only
    # moderators set these (ArticleAdmin.get_readonly_fields).
    assignee = models.ForeignKey(
        Author,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.NORMAL
    )
    budget_line = models.CharField(
        _("budget line"),
        max_length=300,
        blank=True,
        help_text=_("The one-line pitch on the day's story budget."),
    )

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    # Kept up to date by search.receivers, on the article_changed signal.
    search_vector = SearchVectorField(null=True, editable=False)
    # When a published change last altered what readers see ("Updated …", dateModified).
    content_updated_at = models.DateTimeField(_("content updated at"), null=True, blank=True)
    # Deleting only moves an article to the bin: its revisions and audit trail stay.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("publish_article", _("Can publish, schedule and unpublish articles"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_pub_idx"
            ),
            models.Index(fields=["status", "submitted_at"], name="article_queue_idx"),
            # The story budget of a day, late pieces (articles.desk, articles.admin.planning).
            models.Index(
                fields=["due_at"], name="article_due_idx", condition=models.Q(due_at__isnull=False)
            ),
            # Search walks each language's public articles newest first (search.queries).
            models.Index(
                "language",
                models.F("published_at").desc(),
                condition=models.Q(status="published", deleted_at__isnull=True),
                name="article_search_order_idx",
            ),
            # "Is this piece public, and when was it published?" answered from the index alone,
            # for the hundreds of candidates related articles weigh (public.related).
            models.Index(
                fields=["id", "published_at"],
                condition=models.Q(status="published", deleted_at__isnull=True),
                name="article_public_id_idx",
            ),
            # The admin's default order over every article.
            models.Index(fields=["-published_at", "-created_at"], name="article_admin_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_date",
                violation_error_message=_("A published article needs a publication date."),
            )
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # The allowlist holds for every write, not only those that come through a form.
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return public_url("articles:detail", section=self.section.slug, slug=self.slug)

    def clean(self):
        if self.hero_image and not self.hero_image_alt.strip():
            raise ValidationError(
                {"hero_image_alt": _("Describe the image for readers who cannot see it.")}
            )

    @property
    def hero_picture(self):
        from images.renditions import picture

        # The page, its link previews and its JSON-LD each ask: work it out once per
        # renditions value (a refresh replaces the value, so it is never stale).
        renditions = self.hero_renditions
        known = self.__dict__.get("_hero_picture")
        if known is None or known[0] is not renditions:
            storage = self._meta.get_field("hero_image").storage
            known = self.__dict__["_hero_picture"] = (renditions, picture(renditions, storage))
        return known[1]

    @property
    def page_title(self):
        return self.seo_title or self.headline

    @property
    def description(self):
        return self.meta_description or self.standfirst

    @property
    def is_published(self):
        """The same rule as ArticleQuerySet.published(), for one article in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and self.deleted_at is None
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_opinion(self):
        return self.genre == self.Genre.OPINION

    @property
    def genre_label(self):
        """The label readers see; plain news carries none, opinion and analysis always do."""
        return "" if self.genre == self.Genre.NEWS else self.get_genre_display()

    @property
    def word_count(self):
        # Bodies are sanitized HTML, so dropping what is between < and > is strip_tags()'s
        # answer, five times faster (checked on 10,000 synthetic bodies); every page asks.
        return len(MARKUP.sub("", self.body).split())

    @property
    def reading_minutes(self):
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def modified_at(self):
        """When readers' version last changed: a published change, or else publication."""
        return self.content_updated_at or self.published_at

    @property
    def was_updated(self):
        return bool(
            self.published_at
            and self.content_updated_at
            and self.content_updated_at > self.published_at
        )

    @property
    def ordered_authors(self):
        return [byline.author for byline in self.bylines.all()]


class Byline(models.Model):
    """One author's place in an article's byline; the lowest position is named first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author"),
        ]
        indexes = [models.Index(fields=["author", "article"], name="byline_author_idx")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")
        ]
        # A tag's most recently tagged pieces, for related articles (public.related); the
        # article id is in the index too, so the table itself is never read.
        indexes = [
            models.Index(fields=["tag", "-id", "content_object"], name="tagged_article_recent_idx")
        ]


class SlugRedirect(models.Model):
    """An old slug of a published article, so links already shared keep working."""

    old_slug = models.SlugField(max_length=255, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("slug redirect")
        verbose_name_plural = _("slug redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"
