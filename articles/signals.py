"""The domain's events: what happened to articles, for the apps that react to it.

Search vectors, page-cache versions and audit entries belong to other apps; they connect
receivers to these signals in their AppConfig.ready(), and the domain never calls them. The
workflow functions and the admin's save paths send them, not Model.save(), so a receiver hears
an editorial event once, whatever rows it took to record it.

Signals are sent inside the transaction that made the change: a receiver that writes to the
database (search) joins it; one that reaches outside it (a cache, an email) should wait with
`transaction.on_commit`.
"""

from django.dispatch import Signal

# An article became public, now or at a scheduled time (publish, schedule, reschedule, publish
# again, an import that publishes).
#   sender: Article
#   article: the Article, as saved
#   by: the user who took the step, or None (an import, a command)
article_published = Signal()

# An article stopped being public, or stopped being due to (unpublish, pull a scheduled piece
# back to draft).
#   sender: Article
#   article: the Article, as saved
#   by: the user who took the step
article_unpublished = Signal()

# An article was moved to the bin (the admin's delete: its rows, revisions and audit trail are
# kept, and it can be restored, which sends article_published if it is published).
#   sender: Article
#   article: the Article, as saved
#   by: the user who deleted it
article_deleted = Signal()

# What a reader may see of some articles changed: a save in the admin, a revision applied, a
# restore, an import, or the name of an author or a tag they carry.
#   sender: Article
#   articles: a queryset of the Articles changed (one or many: a renamed author's whole
#       archive is one event); lazy, so a receiver reads it when the signal arrives (after a
#       tag is deleted, the same query would find nothing)
#   fields: a frozenset of what changed, by name (model fields, and "bylines" or "tags" when
#       the names those show changed), or None when any of it may have
article_changed = Signal()
