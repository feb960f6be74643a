"""Featured images of imported posts: from the uploads folder given with --media-root when the
file is there (stored during the import, so the report can say what was missing), otherwise
downloaded from the export's URL by the task worker (importers.tasks), never during the import:
ten thousand downloads, some to servers long gone, must not hold a transaction open.

Either way the image goes through the same validation as an upload (images.uploads) and gets
its renditions from the worker, like any picture saved in the admin.
"""

from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from images.tasks import refresh_renditions_later
from images.uploads import clean_image_upload
from jobs.queue import enqueue_on_commit

ALT_MAX, CAPTION_MAX = 250, 400
# Where each system keeps uploads, in its URLs: what follows is the path in --media-root.
UPLOAD_ROOTS = ("/wp-content/uploads/", "/content/images/")


def relative_path(image):
    if image.relative_path:
        return image.relative_path
    path = urlsplit(image.url).path
    for root in UPLOAD_ROOTS:
        if root in path:
            return path.split(root, 1)[1]
    return ""


def attach(article, data, *, name, alt, caption):
    """Store `data` as `article`'s hero image (validated, re-encoded, EXIF stripped), then
    queue its renditions. Raises ValidationError for what is not a usable image."""
    cleaned = clean_image_upload(ContentFile(data, name=PurePosixPath(name).name or "image"))
    article.hero_image.save(cleaned.name, cleaned, save=False)
    article.hero_image_alt = (alt or caption or article.headline)[:ALT_MAX]
    article.hero_image_caption = caption[:CAPTION_MAX]
    article.save(
        update_fields=[
            "hero_image",
            "hero_image_width",
            "hero_image_height",
            "hero_image_alt",
            "hero_image_caption",
            "updated_at",
        ]
    )
    refresh_renditions_later(article, field="hero_image", store="hero_renditions")


class FeaturedImages:
    def __init__(self, options, report):
        self.options, self.report = options, report
        self.attachments = {}  # WordPress attachment id -> SourceAttachment
        self.wanted = []  # (article, SourceImage)

    def attachment(self, item):
        self.attachments[item.source_id] = item

    def want(self, article, image):
        if article.hero_image:
            return  # kept: an image chosen here is not replaced by an import
        self.wanted.append((article, image))

    def resolved(self, image):
        if not image.attachment_id:
            return image
        found = self.attachments.get(image.attachment_id)
        if found is None:
            return None
        image.url = image.url or found.url
        image.alt = image.alt or found.alt
        image.caption = image.caption or found.caption
        image.relative_path = image.relative_path or found.relative_path
        return image

    def store(self):
        from importers.tasks import fetch_featured_image

        counts = self.report.counts
        for article, image in self.wanted:
            image = self.resolved(image)
            if image is None or not (image.url or image.relative_path):
                counts["images missing"] += 1
                self.report.note(
                    f"“{article.headline[:60]}”: its featured image is not in the file"
                )
                continue
            local = self.local_file(image)
            if local is not None:
                try:
                    attach(
                        article,
                        local.read_bytes(),
                        name=local.name,
                        alt=image.alt,
                        caption=image.caption,
                    )
                except (ValidationError, OSError) as exc:
                    counts["images missing"] += 1
                    self.report.note(f"“{article.headline[:60]}”: {local.name} refused ({exc})")
                else:
                    counts["images stored"] += 1
            elif self.options.download_images and urlsplit(image.url).scheme in ("http", "https"):
                enqueue_on_commit(
                    fetch_featured_image,
                    article.pk,
                    url=image.url,
                    alt=image.alt[:ALT_MAX],
                    caption=image.caption[:CAPTION_MAX],
                )
                counts["images queued"] += 1
            else:
                counts["images missing"] += 1
                self.report.note(f"“{article.headline[:60]}”: image {image.url} not found")

    def local_file(self, image):
        root = self.options.media_root
        path = relative_path(image)
        if root is None or not path:
            return None
        candidate = (root / path).resolve()
        # An export names the path: it must not reach outside the folder it was given.
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            return None
        return candidate
