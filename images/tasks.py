"""Renditions are made by the task worker: an editor's save stores the cleaned original and
returns; WebP and JPEG renditions follow a moment later (until then pages show the previous
ones, or none for a new image)."""

from django.apps import apps

from images.renditions import refresh_renditions
from jobs.queue import enqueue_on_commit
from jobs.retry import retried
from jobs.tasks import task


@task(takes_context=True)
def make_renditions_of(context, *, model, pk, field, store, source, attempt=1):
    """Make the renditions of `source`, if it is still what `model` #`pk`'s `field` holds (a
    newer save queued its own task; a deleted row needs none)."""
    instance = apps.get_model(model)._default_manager.filter(pk=pk).first()
    if instance is None or getattr(instance, field).name != source:
        return {"made": False, "attempt": attempt}
    with retried(context):
        made = refresh_renditions(instance, field=field, store=store)
    return {"made": made, "attempt": attempt}


def refresh_renditions_later(instance, *, field, store):
    """Queue the renditions of `instance.<field>` if the image changed since they were made; an
    image removed is cleaned up at once (nothing to make)."""
    image = getattr(instance, field)
    source = image.name if image else ""
    if (getattr(instance, store) or {}).get("source", "") == source:
        return False
    if not source:
        return refresh_renditions(instance, field=field, store=store)
    enqueue_on_commit(
        make_renditions_of,
        model=instance._meta.label,
        pk=instance.pk,
        field=field,
        store=store,
        source=source,
    )
    return True
