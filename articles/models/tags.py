from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from taggit import models as taggit

from articles.public_urls import public_url


class Tag(taggit.Tag):
    """taggit's tag as the desk sees it: listed in the admin under the newsroom's own heading,
    with its public page. Same table, same rows: only the admin and its permissions are ours."""

    class Meta:
        proxy = True
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def get_absolute_url(self):
        return public_url("articles:tag", slug=self.slug)


@receiver(pre_save, sender=Tag, dispatch_uid="articles-tag-pre-save")
@receiver(post_save, sender=Tag, dispatch_uid="articles-tag-post-save")
@receiver(pre_delete, sender=Tag, dispatch_uid="articles-tag-pre-delete")
@receiver(post_delete, sender=Tag, dispatch_uid="articles-tag-post-delete")
def tell_taggit_tag_listeners(sender, signal, **kwargs):
    # Django names a proxy as the sender of its saves and deletes, so whoever listens for
    # taggit's Tag (the page cache moving a renamed tag's pages on) would not hear the desk's.
    signal.send(sender=taggit.Tag, **kwargs)
