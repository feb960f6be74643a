import io
import struct
import warnings
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from images.uploads import (
    ACCEPTED_FORMATS,
    RENDITION_WIDTHS,
    clean_image_upload,
    delete_renditions,
    make_renditions,
    srcset,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encode(image, fmt, **params):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def reopen(content):
    image = Image.open(io.BytesIO(content.read() if hasattr(content, "read") else content))
    image.load()
    return image


def halves(size=(40, 20)):
    """Left half red, right half blue: lets a test tell which way an image was turned."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def close_to(pixel, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def png_header_only(width, height):
    """A PNG whose header claims width x height, with a few bytes of (bogus) pixel data."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def error_of(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(upload(data, name))
    return excinfo.value


# clean_image_upload: accepted formats


@pytest.mark.parametrize(
    ("fmt", "extension"),
    [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]
    + ([("AVIF", "avif")] if "AVIF" in ACCEPTED_FORMATS else []),
)
def test_accepted_format_keeps_its_format(fmt, extension):
    cleaned = clean_image_upload(upload(encode(halves((64, 48)), fmt), name="Hero Shot.bin"))

    assert cleaned.name == f"hero-shot.{extension}"
    assert (cleaned.image_width, cleaned.image_height) == (64, 48)
    image = reopen(cleaned)
    assert image.format == fmt
    assert image.size == (64, 48)


def test_name_follows_real_format_not_uploaded_extension():
    cleaned = clean_image_upload(upload(encode(halves(), "PNG"), name="../Ünïcode Photo!.JPG"))
    assert cleaned.name == "unicode-photo.png"


def test_name_falls_back_to_image_when_nothing_is_left():
    cleaned = clean_image_upload(upload(encode(halves(), "WEBP"), name="???.webp"))
    assert cleaned.name == "image.webp"


def test_jpeg_is_progressive_and_png_keeps_alpha():
    jpeg = reopen(clean_image_upload(upload(encode(halves(), "JPEG"))))
    assert jpeg.info.get("progressive") == 1

    rgba = Image.new("RGBA", (10, 10), (0, 128, 0, 0))
    png = reopen(clean_image_upload(upload(encode(rgba, "PNG"), "a.png")))
    assert png.mode == "RGBA"
    assert png.getpixel((0, 0)) == (0, 128, 0, 0)


def test_palette_png_keeps_its_transparency():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    cleaned = reopen(clean_image_upload(upload(encode(image, "PNG", transparency=1), "p.png")))
    assert cleaned.mode == "P"
    assert cleaned.info["transparency"] == 1


def test_cmyk_jpeg_becomes_rgb():
    cmyk = Image.new("CMYK", (20, 10), (0, 255, 255, 0))  # red in CMYK
    cleaned = clean_image_upload(upload(encode(cmyk, "JPEG")))
    image = reopen(cleaned)
    assert (image.format, image.mode) == ("JPEG", "RGB")
    assert close_to(image.getpixel((5, 5)), (255, 0, 0), tolerance=20)


def test_cmyk_profile_is_not_left_on_rgb_pixels():
    # An RGB profile on CMYK pixels can't be applied; the fallback conversion must drop it too.
    cmyk = Image.new("CMYK", (20, 10), (0, 255, 255, 0))
    image = reopen(clean_image_upload(upload(encode(cmyk, "JPEG", icc_profile=SRGB_ICC))))
    assert image.mode == "RGB"
    assert "icc_profile" not in image.info


def test_cleaning_writes_nothing_to_storage(settings):
    clean_image_upload(upload(encode(halves(), "JPEG")))
    assert not (settings.MEDIA_ROOT).exists()


def test_accepts_plain_django_files():
    cleaned = clean_image_upload(ContentFile(encode(halves(), "PNG"), name="x.png"))
    assert reopen(cleaned).format == "PNG"


# clean_image_upload: rejected files


def gif_bytes():
    return encode(Image.new("P", (10, 10)), "GIF")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Just some notes, definitely not a picture.\n" * 20, "notes.jpg"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script></svg>',
            "logo.png",
        ),
        (gif_bytes(), "animation.gif"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "scan.jpg"),
        (bytes(range(256)) * 40, "random.webp"),
        (b"", "empty.jpg"),
    ],
    ids=["text", "svg", "gif", "pdf", "random", "empty"],
)
def test_non_images_and_other_formats_are_rejected(data, name):
    error = error_of(data, name)
    assert error.code == "invalid_image"
    assert "Upload a JPEG, PNG" in error.messages[0]
    assert ("AVIF" in error.messages[0]) == ("AVIF" in ACCEPTED_FORMATS)


def test_truncated_jpeg_is_rejected():
    data = encode(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
    error = error_of(data[: len(data) // 2])
    assert error.code == "corrupt_image"
    assert "damaged or incomplete" in error.messages[0]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.skipif("AVIF" not in ACCEPTED_FORMATS, reason="Pillow built without AVIF")
def test_damaged_avif_is_rejected_not_crashing():
    # The AVIF decoder reports damaged pixel data as RuntimeError, not OSError.
    data = encode(Image.new("RGB", (64, 48), (10, 200, 30)), "AVIF")
    rejected = 0
    for damage in (4, 8, 12, 24, 32, 48):
        try:
            clean_image_upload(upload(data[:-damage] + b"\0" * damage, "x.avif"))
        except ValidationError:
            rejected += 1
    assert rejected >= 1


def test_png_with_broken_checksum_is_rejected():
    data = bytearray(encode(Image.effect_noise((100, 100), 60), "PNG"))
    # Flip a bit of the last IDAT's checksum (IEND, 12 bytes, follows it): load() would still
    # decode the pixels; only verify() checks chunk CRCs.
    data[-13] ^= 0xFF
    assert error_of(bytes(data), "x.png").code == "corrupt_image"


def test_header_pixel_count_is_checked_before_decoding(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 40_000_000
    # 8000x6000 passes Pillow's own limit; its pixel data is bogus, so decoding would fail with a
    # different error than the one expected here.
    error = error_of(png_header_only(8000, 6000), "huge.png")
    assert error.code == "too_many_pixels"
    assert error.messages[0] == (
        "The image is too large. Images can have at most 40,000,000 pixels. This one is 8000×6000."
    )


def test_decompression_bomb_is_rejected():
    # 400 megapixels in a few hundred bytes: Pillow itself raises DecompressionBombError.
    error = error_of(png_header_only(20000, 20000), "bomb.png")
    assert error.code == "too_many_pixels"


def test_decompression_bomb_warning_is_an_error_and_filters_are_restored(settings, monkeypatch):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000_000
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 1500 px only warns (error above 2000)
    with warnings.catch_warnings():
        # pytest turns RuntimeWarnings into errors; production ignores or just logs them.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        filters_before = list(warnings.filters)

        error = error_of(encode(Image.new("RGB", (50, 30)), "PNG"), "warn.png")

        assert warnings.filters == filters_before
    assert error.code == "too_many_pixels"


def test_pixel_limit_comes_from_settings(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 100 * 100
    clean_image_upload(upload(encode(Image.new("RGB", (100, 100)), "PNG"), "ok.png"))
    error = error_of(encode(Image.new("RGB", (101, 100)), "PNG"), "big.png")
    assert "10,000 pixels" in error.messages[0]


def test_file_over_size_limit_is_rejected_with_limit_in_mb(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1024 * 1024
    error = error_of(b"\0" * (1024 * 1024 + 1))
    assert error.code == "file_too_large"
    assert error.messages[0] == "The file is too large. Images can be at most 1 MB."


def test_size_is_checked_before_reading(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1000

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read before the size check")

    with pytest.raises(ValidationError, match="at most 0.000953674 MB"):
        clean_image_upload(Unreadable("big.jpg", b"\0" * 1001))


def test_understated_size_is_still_caught(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1000
    lying = ContentFile(encode(Image.effect_noise((100, 100), 60), "PNG"), name="x.png")
    lying.size = 10
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(lying)
    assert excinfo.value.code == "file_too_large"


# clean_image_upload: metadata


def exif_with_gps_and_orientation(orientation=6):
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 0.0)
    return exif


def test_exif_gps_is_removed_and_orientation_applied():
    source = encode(halves((40, 20)), "JPEG", exif=exif_with_gps_and_orientation(6), quality=95)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the input really has GPS

    cleaned = clean_image_upload(upload(source))
    data = cleaned.read()
    image = reopen(data)

    assert image.size == (20, 40)
    assert (cleaned.image_width, cleaned.image_height) == (20, 40)
    # Orientation 6 means "rotate 90° clockwise to display": the left (red) half ends up on top.
    assert close_to(image.getpixel((10, 5)), (255, 0, 0), tolerance=40)
    assert close_to(image.getpixel((10, 35)), (0, 0, 255), tolerance=40)
    assert "exif" not in image.info
    assert dict(image.getexif()) == {}
    assert b"Exif" not in data
    assert b"PhoneMaker" not in data


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-location</x:xmpmeta>'


def png_xmp():
    # Pillow's PNG encoder has no xmp= option; XMP lives in an iTXt chunk.
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    return {"pnginfo": info}


@pytest.mark.parametrize(
    ("fmt", "xmp_params"), [("PNG", png_xmp()), ("WEBP", {"xmp": XMP})], ids=["png", "webp"]
)
def test_exif_and_xmp_are_removed_from_png_and_webp(fmt, xmp_params):
    source = encode(halves(), fmt, exif=exif_with_gps_and_orientation(1), **xmp_params)
    assert b"secret-location" in source and b"PhoneMaker" in source

    data = clean_image_upload(upload(source, f"x.{fmt.lower()}")).read()

    assert b"secret-location" not in data
    assert b"PhoneMaker" not in data
    assert dict(reopen(data).getexif()) == {}


def test_jpeg_comment_and_xmp_are_removed_but_icc_profile_kept():
    source = encode(halves(), "JPEG", comment=b"shot at home", xmp=XMP, icc_profile=SRGB_ICC)
    assert b"shot at home" in source and b"secret-location" in source

    data = clean_image_upload(upload(source)).read()
    image = reopen(data)

    assert b"shot at home" not in data
    assert b"secret-location" not in data
    assert "comment" not in image.info
    assert image.info["icc_profile"] == SRGB_ICC


def test_png_text_chunks_are_removed():
    text = PngInfo()
    text.add_text("Author", "Jane Source, +44 7700 900000")
    data = clean_image_upload(upload(encode(halves(), "PNG", pnginfo=text), "x.png")).read()
    assert b"Jane Source" not in data
    assert "Author" not in reopen(data).info


# make_renditions


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path / "store", base_url="/media/")


def test_renditions_sizes_formats_and_order(storage):
    source = encode(Image.new("RGB", (3000, 1999), (10, 120, 200)), "JPEG")

    renditions = make_renditions(source, storage=storage, prefix="renditions/articles/42/x")

    assert [(r["format"], r["width"], r["height"]) for r in renditions] == [
        ("jpeg", 480, 320),
        ("jpeg", 960, 640),
        ("jpeg", 1600, 1066),
        ("webp", 480, 320),
        ("webp", 960, 640),
        ("webp", 1600, 1066),
    ]
    for rendition in renditions:
        assert rendition["name"].startswith("renditions/articles/42/x-")
        assert f"-{rendition['width']}w-" in rendition["name"]
        assert rendition["name"].endswith(".webp" if rendition["format"] == "webp" else ".jpg")
        assert storage.exists(rendition["name"])
        with storage.open(rendition["name"]) as stored:
            image = reopen(stored)
        assert image.format == rendition["format"].upper()
        assert image.size == (rendition["width"], rendition["height"])
        assert dict(image.getexif()) == {}


@pytest.mark.parametrize(
    ("width", "expected"),
    [(700, [480, 700]), (1600, [480, 960, 1600]), (960, [480, 960]), (300, [300])],
)
def test_renditions_never_upscale(storage, width, expected):
    source = encode(Image.new("RGB", (width, 100)), "PNG")
    renditions = make_renditions(source, storage=storage, prefix="r/a")
    for fmt in ("jpeg", "webp"):
        assert [r["width"] for r in renditions if r["format"] == fmt] == expected
    assert max(r["width"] for r in renditions) <= max(RENDITION_WIDTHS)


def test_rendition_names_change_with_content(storage):
    original = encode(halves((600, 300)), "PNG")
    first = make_renditions(original, storage=storage, prefix="r/1")
    # Delete first, so the storage would happily hand out the same names again.
    delete_renditions(first, storage=storage)
    again = make_renditions(original, storage=storage, prefix="r/1")
    delete_renditions(again, storage=storage)
    changed = make_renditions(encode(halves((600, 301)), "PNG"), storage=storage, prefix="r/1")

    assert len(first) == len(changed) == 4
    assert [r["name"] for r in again] == [r["name"] for r in first]
    assert {r["name"] for r in first}.isdisjoint({r["name"] for r in changed})


def test_renditions_from_an_open_file_and_jpeg_transparency_flattened_on_white(storage, tmp_path):
    path = tmp_path / "clear.png"
    half_clear = Image.new("RGBA", (500, 250), (255, 0, 0, 255))
    half_clear.paste((255, 0, 0, 0), (250, 0, 500, 250))
    path.write_bytes(encode(half_clear, "PNG"))

    with path.open("rb") as handle:
        renditions = make_renditions(File(handle), storage=storage, prefix="r/t")

    by_format = {(r["format"], r["width"]): r["name"] for r in renditions}
    with storage.open(by_format[("jpeg", 500)]) as stored:
        jpeg = reopen(stored)
    with storage.open(by_format[("webp", 500)]) as stored:
        webp = reopen(stored)
    assert jpeg.mode == "RGB"
    assert close_to(jpeg.getpixel((100, 100)), (255, 0, 0), tolerance=12)
    assert close_to(jpeg.getpixel((400, 100)), (255, 255, 255), tolerance=2)
    assert webp.mode == "RGBA"
    assert webp.getpixel((100, 100))[3] == 255
    assert webp.getpixel((400, 100))[3] == 0


def test_renditions_of_an_uncleaned_image_are_upright_without_exif(storage):
    source = encode(halves((1000, 500)), "JPEG", exif=exif_with_gps_and_orientation(6))
    renditions = make_renditions(source, storage=storage, prefix="r/o")

    assert [(r["width"], r["height"]) for r in renditions if r["format"] == "webp"] == [
        (480, 960),
        (500, 1000),
    ]
    with storage.open(renditions[0]["name"]) as stored:
        data = stored.read()
    assert b"PhoneMaker" not in data
    assert dict(reopen(data).getexif()) == {}


def test_sixteen_bit_grey_is_scaled_not_clipped(storage):
    source = encode(Image.new("I;16", (100, 50), 40000), "PNG")
    renditions = make_renditions(source, storage=storage, prefix="r/g")
    with storage.open(renditions[0]["name"]) as stored:
        pixel = reopen(stored).getpixel((50, 25))
    assert close_to(pixel, (155, 155, 155), tolerance=3)  # 40000 / 65535 * 255


def test_renditions_reject_non_images(storage):
    with pytest.raises(ValidationError):
        make_renditions(b"not an image", storage=storage, prefix="r/x")
    assert not storage.exists("r")


def test_delete_renditions_removes_files_and_ignores_missing(storage):
    renditions = make_renditions(encode(halves((1000, 500)), "PNG"), storage=storage, prefix="r/d")
    assert all(storage.exists(r["name"]) for r in renditions)

    delete_renditions(renditions, storage=storage)
    assert not any(storage.exists(r["name"]) for r in renditions)

    delete_renditions(renditions, storage=storage)  # already gone: no error


# srcset


def test_srcset_lists_one_format_by_width(storage):
    renditions = [
        {"width": 960, "height": 540, "format": "webp", "name": "r/a-960w.webp"},
        {"width": 480, "height": 270, "format": "jpeg", "name": "r/a-480w.jpg"},
        {"width": 480, "height": 270, "format": "webp", "name": "r/a-480w.webp"},
    ]
    assert srcset(renditions, "webp", url=storage.url) == (
        "/media/r/a-480w.webp 480w, /media/r/a-960w.webp 960w"
    )
    assert srcset(renditions, "jpg", url=lambda name: f"https://cdn/{name}") == (
        "https://cdn/r/a-480w.jpg 480w"
    )
    assert srcset(renditions, "avif") == ""


def test_srcset_defaults_to_default_storage_urls(settings):
    settings.MEDIA_URL = "/media/"
    renditions = [{"width": 480, "height": 270, "format": "jpeg", "name": "r/a-480w.jpg"}]
    assert srcset(renditions, "JPEG") == "/media/r/a-480w.jpg 480w"
