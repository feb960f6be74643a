"""Image pipeline for hero images and author photos: validate, clean and resize.

Uploads are untrusted, so every file is decoded in full before it is accepted, and it is
re-encoded rather than stored as sent: that is the only reliable way to drop EXIF (GPS
included), XMP and comments. Nothing here touches models; storage is passed in.
"""

import contextlib
import hashlib
import io
import struct
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, features

RENDITION_WIDTHS = (480, 960, 1600)
# Pillow < 11.2 has no AVIF module and warns about unknown feature names, hence the guard.
_AVIF = "avif" in features.modules and features.check("avif")
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"} | ({"AVIF"} if _AVIF else set())

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 88, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
    "AVIF": {"quality": 75},
}
# Malformed files make Pillow raise more than OSError: its parsers use SyntaxError and struct,
# and the AVIF decoder raises RuntimeError.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    struct.error,
    RuntimeError,
)
_MB = 1024 * 1024


def clean_image_upload(uploaded):
    """Validate an uploaded image and return a metadata-free re-encoding of it, ready to store.

    The result is a ContentFile named after the upload (slugified) with the extension of its real
    format, carrying `image_width` and `image_height`. Raises ValidationError on anything bad.
    """
    with _open(_read_limited(uploaded)) as original:
        image, icc = _normalise(original)
        image_format = original.format
    if image_format == "JPEG" and image.mode not in ("L", "RGB"):
        image, icc = _to_rgb(image, icc)
    content = ContentFile(_encode(image, image_format, icc))
    stem = slugify(PurePath(str(getattr(uploaded, "name", "") or "")).stem)[:60].strip("-")
    content.name = f"{stem or 'image'}.{_EXTENSIONS[image_format]}"
    content.image_width, content.image_height = image.size
    return content


def make_renditions(source, *, storage, prefix):
    """Write WebP and JPEG renditions of a stored image under `prefix`; return their descriptions.

    Never upscales: widths the source can't fill are replaced by one at the source's own width.
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        source.seek(0)
        data = source.read()
    # Hashing the source bytes means a replaced image never reuses (or is served from) a stale URL.
    digest = hashlib.sha256(data).hexdigest()[:10]
    with _open(data) as original:
        image, icc = _normalise(original)
    width, height = image.size
    renditions = []
    for target in sorted({min(w, width) for w in RENDITION_WIDTHS}):
        size = (target, max(1, round(height * target / width)))
        resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        for fmt, keep_alpha in (("webp", True), ("jpeg", False)):
            pixels, profile = _to_rgb(resized, icc, keep_alpha=keep_alpha)
            body = ContentFile(_encode(pixels, fmt.upper(), profile))
            name = storage.save(f"{prefix}-{target}w-{digest}.{_EXTENSIONS[fmt.upper()]}", body)
            renditions.append({"width": size[0], "height": size[1], "format": fmt, "name": name})
    return sorted(renditions, key=lambda r: (r["format"], r["width"]))


def delete_renditions(renditions, *, storage):
    for rendition in renditions:
        # Some storages raise for missing files (FileSystemStorage doesn't); cleanup is best effort.
        with contextlib.suppress(FileNotFoundError):
            storage.delete(rendition["name"])


def srcset(renditions, fmt, url=None):
    """Build an HTML srcset ("url 480w, url 960w") from the renditions of one format."""
    url = url or default_storage.url
    fmt = {"jpg": "jpeg"}.get(fmt.lower(), fmt.lower())
    chosen = sorted((r for r in renditions if r["format"] == fmt), key=lambda r: r["width"])
    return ", ".join(f"{url(r['name'])} {r['width']}w" for r in chosen)


def _read_limited(uploaded):
    limit = getattr(settings, "NEWSROOM_MAX_IMAGE_BYTES", 10 * _MB)
    too_big = ValidationError(
        _("The file is too large. Images can be at most %(limit)s MB."),
        code="file_too_large",
        params={"limit": f"{limit / _MB:g}"},
    )
    if (getattr(uploaded, "size", None) or 0) > limit:
        raise too_big
    uploaded.open("rb")
    data = uploaded.read(limit + 1)
    # The declared size can be missing or wrong; reading one byte past the limit settles it.
    if len(data) > limit:
        raise too_big
    return data


def _open(data):
    """Open `data` as a fully decoded image in an accepted format, within the pixel limit."""
    limit = getattr(settings, "NEWSROOM_MAX_IMAGE_PIXELS", 40_000_000)
    formats = sorted(ACCEPTED_FORMATS)
    try:
        # Image.open warns (or raises) above the global Image.MAX_IMAGE_PIXELS; a warning must
        # reject too, and catch_warnings puts the filters back afterwards.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                # Only the header has been read so far, so a bomb is rejected before decoding.
                if probe.width * probe.height > limit:
                    raise _too_many_pixels(limit, probe.size)
                probe.verify()
            # verify() leaves the image unusable and skips pixel data for most formats, so a
            # truncated file only shows up when decoded in full from a fresh open.
            image = Image.open(io.BytesIO(data), formats=formats)
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(limit) from None
    except Image.UnidentifiedImageError:
        message = (
            _("Upload a JPEG, PNG, WebP or AVIF image.")
            if _AVIF
            else _("Upload a JPEG, PNG or WebP image.")
        )
        raise ValidationError(message, code="invalid_image") from None
    except _DECODE_ERRORS:
        raise ValidationError(
            _("The image file is damaged or incomplete. Try exporting it again."),
            code="corrupt_image",
        ) from None


def _too_many_pixels(limit, size=None):
    message = _("The image is too large. Images can have at most %(limit)s pixels.")
    if size:
        message += " " + _("This one is %(width)s×%(height)s.")
    width, height = size or (0, 0)
    params = {"limit": f"{limit:,}", "width": width, "height": height}
    return ValidationError(message, code="too_many_pixels", params=params)


def _normalise(image):
    """Return an upright copy with no metadata, and the ICC profile (colour, not privacy)."""
    try:
        upright = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        # A broken EXIF block shouldn't cost the photo; the EXIF is dropped below anyway.
        upright = image.copy()
    # Encoders read some metadata straight from .info (JPEG comments, PNG ICC), so start empty,
    # keeping only PNG palette transparency, which is part of the picture.
    upright.info = {k: v for k, v in image.info.items() if k == "transparency"}
    return upright, image.info.get("icc_profile")


def _to_rgb(image, icc, *, keep_alpha=False):
    """Convert to RGB (or RGBA) for web output, with the ICC profile still valid afterwards."""
    if image.mode == "CMYK":
        # CMYK values only mean a colour through their profile, so convert through it if we can.
        if icc:
            with contextlib.suppress(ImageCms.PyCMSError, OSError):
                profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                srgb = ImageCms.createProfile("sRGB")
                return ImageCms.profileToProfile(image, profile, srgb, outputMode="RGB"), None
        return image.convert("RGB"), None
    # A grey profile can't describe RGB pixels, so it only survives RGB-family modes.
    icc = icc if image.mode in ("RGB", "RGBA", "P", "PA") else None
    if image.mode.startswith("I"):
        # Pillow clips 16-bit values when converting to 8 bits instead of scaling them.
        image = image.convert("I").point(lambda v: v / 257).convert("L")
    if not image.has_transparency_data:
        return image.convert("RGB"), icc
    rgba = image.convert("RGBA")
    if keep_alpha:
        return rgba, icc
    flat = Image.new("RGB", image.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat, icc


def _encode(image, image_format, icc):
    buffer = io.BytesIO()
    image.save(buffer, image_format, icc_profile=icc, **_SAVE_OPTIONS[image_format])
    return buffer.getvalue()
