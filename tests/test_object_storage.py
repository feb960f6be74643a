"""Media on S3-compatible object storage: uploads, renditions and public URLs, against a real
S3 API served on loopback by moto's standalone server."""

import io
import urllib.request

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from articles.models import Article
from articles.workflow import apply_transition

from .factories import make_section, make_user, run_tasks

pytestmark = pytest.mark.django_db
BUCKET = "newsroom-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    yield endpoint
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint):
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": "public-read",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_an_upload_and_its_renditions_live_in_the_bucket_with_public_urls(client, s3_media):
    chief = make_user("chief", is_staff=True, is_superuser=True)
    client.force_login(chief)
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 600), (20, 120, 60)).save(buffer, "JPEG")
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Pictures in the cloud",
            "slug": "",
            "body": "<p>x</p>",
            "section": make_section().pk,
            "genre": "news",
            "language": "en",
            "hero_image": SimpleUploadedFile("field.jpg", buffer.getvalue()),
            "hero_image_alt": "A green field",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    run_tasks()  # renditions are the worker's
    article = Article.objects.get(slug="pictures-in-the-cloud")
    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert article.hero_image.name in keys
    renditions = {item["name"] for item in article.hero_renditions["items"]}
    assert renditions <= keys and len(renditions) == 6  # 480, 960, 1000 × WebP and JPEG
    apply_transition(article, "submit", by=chief)
    apply_transition(article, "publish", by=chief)
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    picture = article.hero_picture
    assert picture["src"].startswith(f"{s3_media.meta.endpoint_url}/{BUCKET}/")
    assert picture["src"] in html
    with urllib.request.urlopen(picture["src"], timeout=5) as served:
        image = Image.open(io.BytesIO(served.read()))
        assert image.format == "JPEG" and image.size == (1000, 600)
