"""Keeping an image field's renditions in step with the image, and describing them to templates.

Renditions are made by the task worker once an image is saved (images.tasks: never while a
reader or an editor waits) and stored as JSON on the same row, so a page shows its pictures
without one more query per image.
"""

from pathlib import PurePosixPath

from images.uploads import delete_renditions, make_renditions


def refresh_renditions(instance, *, field, store):
    """Make `instance.<field>`'s renditions if the image changed since they were last made."""
    image = getattr(instance, field)
    current = getattr(instance, store) or {}
    source = image.name if image else ""
    if current.get("source", "") == source:
        return False
    storage = instance._meta.get_field(field).storage
    delete_renditions(current.get("items", []), storage=storage)
    items = []
    if image:
        stem = PurePosixPath(source).stem
        prefix = f"renditions/{instance._meta.model_name}/{instance.pk}/{stem}"
        with storage.open(source, "rb") as original:
            items = make_renditions(original, storage=storage, prefix=prefix)
    value = {"source": source, "items": items} if source else {}
    setattr(instance, store, value)
    # A save of that one field, so the caches of the pages that show the image move on.
    instance.save(update_fields=[store])
    return True


def picture(renditions, storage):
    """What <picture> needs: srcsets per format, a fallback src, and the intrinsic size."""
    items = (renditions or {}).get("items") or []
    jpegs = sorted((i for i in items if i["format"] == "jpeg"), key=lambda i: i["width"])
    if not jpegs:
        return None
    webps = sorted((i for i in items if i["format"] == "webp"), key=lambda i: i["width"])
    largest = jpegs[-1]

    def srcset(group):
        return ", ".join(f"{storage.url(i['name'])} {i['width']}w" for i in group)

    return {
        "src": storage.url(largest["name"]),
        "jpeg_srcset": srcset(jpegs),
        "webp_srcset": srcset(webps),
        "width": largest["width"],
        "height": largest["height"],
    }
