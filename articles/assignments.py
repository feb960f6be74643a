"""Planning a piece before it is written: who writes it, for when, how urgent, and its pitch.

Only moderators plan (ArticleAdmin makes these fields read-only for writers); assigning a piece
leaves an audit entry and tells the assignee by email once the change is committed.
"""

from django.db import transaction

from articles import notifications
from articles.models import AuditEntry
from articles.workflow import state_of

PLANNING_FIELDS = ["assignee", "due_at", "priority", "budget_line"]


def record_assignment(article, *, by):
    state = state_of(article)
    AuditEntry.objects.create(
        article=article,
        article_headline=article.headline,
        user=by,
        action=AuditEntry.Action.ASSIGNED,
        from_state=state,
        to_state=state,
        note=article.assignee.name,
    )
    transaction.on_commit(lambda: notifications.assigned(article, by=by), robust=True)
