"""The desk home: what is waiting for each person who logs in.

A writer sees their own work by state; a moderator the review queue, changes to live pieces
waiting for a decision, what goes live soon and what the desk did last. Each list shows its
first entries and an exact count, two queries whatever the archive's size.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from articles import permissions
from articles.models import Article, AuditEntry, EditorialNote, Revision

SHOWN = 8
RECENT_DAYS = 7
UPCOMING_HOURS = 48
ACTIVITY = 12
# Not yet published: what a due date still waits for.
UNFINISHED = [
    Article.Status.DRAFT,
    Article.Status.IN_REVIEW,
    Article.Status.CHANGES_REQUESTED,
]


@dataclass
class DeskList:
    key: str
    title: str
    empty: str
    items: list = field(default_factory=list)
    count: int = 0
    more_url: str = ""


def first_and_count(queryset, shown=SHOWN):
    return list(queryset[:shown]), queryset.count()


def changelist(**filters):
    return reverse("admin:articles_article_changelist") + "?" + urlencode(filters)


def live_articles():
    return Article.objects.filter(deleted_at__isnull=True).select_related("section", "assignee")


def writer_lists(user, now):
    mine = live_articles().filter(permissions.contributed_by(user))
    latest_request = Prefetch(
        "notes",
        queryset=EditorialNote.objects.filter(
            kind=EditorialNote.Kind.CHANGES_REQUESTED
        ).select_related("author"),
        to_attr="change_requests",
    )
    lists = [
        (
            DeskList(
                "assigned",
                _("Assigned to you, by due date"),
                _("Nothing is assigned to you."),
            ),
            live_articles()
            .filter(assignee__user=user)
            .exclude(status=Article.Status.PUBLISHED)
            .order_by(F("due_at").asc(nulls_last=True), "priority"),
        ),
        (
            DeskList(
                "changes_requested",
                _("Sent back to you with changes requested"),
                _("Nothing was sent back to you."),
                more_url=changelist(status__exact=Article.Status.CHANGES_REQUESTED),
            ),
            mine.filter(status=Article.Status.CHANGES_REQUESTED)
            .prefetch_related(latest_request)
            .order_by("-updated_at"),
        ),
        (
            DeskList(
                "drafts",
                _("Your drafts"),
                _("You have no drafts."),
                more_url=changelist(status__exact=Article.Status.DRAFT),
            ),
            mine.filter(status=Article.Status.DRAFT).order_by("-updated_at"),
        ),
        (
            DeskList(
                "in_review",
                _("Your pieces in review"),
                _("None of your pieces is in review."),
                more_url=changelist(status__exact=Article.Status.IN_REVIEW),
            ),
            mine.filter(status=Article.Status.IN_REVIEW).order_by("submitted_at"),
        ),
        (
            DeskList(
                "published",
                _("Published in the last %(days)d days") % {"days": RECENT_DAYS},
                _("Nothing of yours was published in the last days."),
                more_url=changelist(status__exact=Article.Status.PUBLISHED),
            ),
            mine.published(at=now)
            .filter(published_at__gte=now - timedelta(days=RECENT_DAYS))
            .order_by("-published_at"),
        ),
    ]
    return [fill(desk_list, queryset) for desk_list, queryset in lists]


def waiting_changes():
    """Submitted changes to live pieces that are each piece's newest save (only that one can be
    published), oldest first."""
    newer = Revision.objects.filter(
        article=OuterRef("article"),
        kind__in=Revision.WORKING_KINDS,
        number__gt=OuterRef("number"),
    )
    return (
        Revision.objects.filter(
            pending=True,
            applied_at__isnull=True,
            submitted_at__isnull=False,
            article__deleted_at__isnull=True,
            kind__in=Revision.WORKING_KINDS,
        )
        .exclude(Exists(newer))
        .select_related("article__section", "created_by")
        .order_by("submitted_at")
    )


def moderator_lists(now):
    soon = now + timedelta(hours=UPCOMING_HOURS)
    lists = [
        (
            DeskList(
                "late",
                _("Past their due date"),
                _("Nothing is late."),
                more_url=reverse("admin:articles_article_budget"),
            ),
            live_articles().filter(due_at__lt=now, status__in=UNFINISHED).order_by("due_at"),
        ),
        (
            DeskList(
                "queue",
                _("Waiting for review, oldest first"),
                _("Nothing is waiting for review."),
                more_url=reverse("admin:articles_article_queue"),
            ),
            live_articles()
            .filter(status=Article.Status.IN_REVIEW)
            .select_related("created_by")
            .order_by("submitted_at", "created_at"),
        ),
        (
            DeskList(
                "changes",
                _("Changes to live articles waiting for a decision"),
                _("No change to a live article is waiting."),
                more_url=reverse("admin:articles_article_queue"),
            ),
            waiting_changes(),
        ),
        (
            DeskList(
                "upcoming",
                _("Going live in the next %(hours)d hours") % {"hours": UPCOMING_HOURS},
                _("Nothing is scheduled for the next hours."),
                more_url=changelist(status__exact=Article.Status.PUBLISHED),
            ),
            live_articles()
            .filter(status=Article.Status.PUBLISHED, published_at__gt=now, published_at__lte=soon)
            .order_by("published_at"),
        ),
        (
            DeskList(
                "upcoming_changes",
                _("Changes to live articles scheduled in the next %(hours)d hours")
                % {"hours": UPCOMING_HOURS},
                _("No change to a live article is scheduled for the next hours."),
            ),
            Revision.objects.filter(
                pending=True,
                applied_at__isnull=True,
                scheduled_for__gt=now,
                scheduled_for__lte=soon,
                article__deleted_at__isnull=True,
            )
            .select_related("article__section", "created_by")
            .order_by("scheduled_for"),
        ),
    ]
    return [fill(desk_list, queryset) for desk_list, queryset in lists]


def fill(desk_list, queryset):
    desk_list.items, desk_list.count = first_and_count(queryset)
    return desk_list


def recent_activity():
    return list(AuditEntry.objects.select_related("user").order_by("-created_at", "-id")[:ACTIVITY])


def desk_for(user, *, now=None):
    """The desk home's lists for `user`: a writer's own work, and for a moderator the desk's."""
    now = now or timezone.now()
    desk = {"desk_now": now, "writer_lists": [], "moderator_lists": [], "activity": []}
    if not (user.is_active and user.has_perm("articles.view_article")):
        return desk
    desk["writer_lists"] = writer_lists(user, now)
    if permissions.can_publish(user):
        desk["moderator_lists"] = moderator_lists(now)
        desk["activity"] = recent_activity()
    return desk
