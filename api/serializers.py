"""What the content API says of each thing: published content only, with absolute URLs built on
NEWSROOM_BASE_URL (public.structured_data.absolute_url), never on the request's Host."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, Author, Section
from articles.models.tags import Tag
from articles.public_urls import public_url
from public.structured_data import absolute_url


class AbsoluteUrlField(serializers.Field):
    """The object's public page, absolute."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute_url(value.get_absolute_url())


AbsoluteUrlField = extend_schema_field({"type": "string", "format": "uri"})(AbsoluteUrlField)


class PictureSerializer(serializers.Serializer):
    src = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    jpeg_srcset = serializers.CharField()
    webp_srcset = serializers.CharField(allow_blank=True)

    def to_representation(self, picture):
        data = super().to_representation(picture)
        data["src"] = absolute_url(data["src"])
        for key in ("jpeg_srcset", "webp_srcset"):
            data[key] = ", ".join(
                " ".join([absolute_url(url), *rest])
                for url, *rest in (part.split(" ") for part in data[key].split(", ") if part)
            )
        return data


class SectionSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()

    class Meta:
        model = Section
        fields = ["slug", "name", "description", "url"]


class AuthorSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    photo = PictureSerializer(source="photo_picture", allow_null=True, read_only=True)

    class Meta:
        model = Author
        fields = ["slug", "name", "role", "bio", "url", "photo"]


class TagSerializer(serializers.ModelSerializer):
    # taggit's own Tag rows (an article's tags) have no get_absolute_url: the URL is ours.
    url = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["slug", "name", "url"]

    def get_url(self, tag) -> str:
        return absolute_url(public_url("articles:tag", slug=tag.slug))


class HeroImageSerializer(serializers.Serializer):
    alt = serializers.CharField(source="hero_image_alt")
    caption = serializers.CharField(source="hero_image_caption")
    credit = serializers.CharField(source="hero_image_credit")
    picture = PictureSerializer(source="hero_picture")


class ArticleSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    section = SectionSerializer(read_only=True)
    bylines = AuthorSerializer(source="ordered_authors", many=True, read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    hero_image = serializers.SerializerMethodField()
    body = serializers.CharField(read_only=True, help_text="Sanitized HTML, as readers see it.")

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "url",
            "headline",
            "standfirst",
            "genre",
            "language",
            "section",
            "bylines",
            "tags",
            "hero_image",
            "body",
            "published_at",
            "updated_at",
        ]

    @extend_schema_field(HeroImageSerializer(allow_null=True))
    def get_hero_image(self, article):
        if not article.hero_picture:
            return None
        return HeroImageSerializer(article).data
