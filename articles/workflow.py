"""The editorial workflow: every state an article can be in, and every way out of it.

This module is the only place that changes an article's status. Each transition says which
states it leaves, which it reaches and which role may take it; `apply_transition` checks all
of that, records the audit entry and the note, and sends the emails once the change is safe
in the database.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import notifications, permissions, revisions
from articles.models import Article, AuditEntry, Correction, EditorialNote
from articles.signals import article_published, article_unpublished
from articles.tasks import publish_due_changes
from jobs.queue import enqueue_on_commit


class State:
    """An article's editorial state: its status, with "scheduled" told apart from "live"."""

    DRAFT = Article.Status.DRAFT.value
    IN_REVIEW = Article.Status.IN_REVIEW.value
    CHANGES_REQUESTED = Article.Status.CHANGES_REQUESTED.value
    SCHEDULED = "scheduled"
    PUBLISHED = Article.Status.PUBLISHED.value
    UNPUBLISHED = Article.Status.UNPUBLISHED.value

    labels = {
        DRAFT: _("Draft"),
        IN_REVIEW: _("In review"),
        CHANGES_REQUESTED: _("Changes requested"),
        SCHEDULED: _("Scheduled"),
        PUBLISHED: _("Published"),
        UNPUBLISHED: _("Unpublished"),
    }


def state_of(article):
    return State.SCHEDULED if article.is_scheduled else article.status


# Readers see these, or will at their time: entering one is a publication, leaving one an
# unpublication (articles.signals).
PUBLIC_STATES = frozenset({State.PUBLISHED, State.SCHEDULED})

# Who may take a transition: a writer of the piece (or any moderator), or moderators only.
WRITER = "writer"
MODERATOR = "moderator"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    role: str
    note: str = "none"  # "none", "optional" or "required"
    when: str = "none"  # "none", "now", "keep" (the original date) or "future"
    # Steps on a saved change to a live article rather than on the article's status.
    on_pending_change: bool = False
    # What happened, as the people told of it read it ("Published", not "Publish now").
    done: str = ""

    def status(self):
        return Article.Status.PUBLISHED if self.target == State.SCHEDULED else self.target


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            _("Submit for review"),
            frozenset({State.DRAFT, State.CHANGES_REQUESTED}),
            State.IN_REVIEW,
            WRITER,
            note="optional",
            done=_("Submitted for review"),
        ),
        Transition(
            "withdraw",
            _("Back to draft"),
            frozenset({State.IN_REVIEW, State.CHANGES_REQUESTED}),
            State.DRAFT,
            WRITER,
            done=_("Moved back to draft"),
        ),
        Transition(
            "request_changes",
            _("Request changes"),
            frozenset({State.IN_REVIEW}),
            State.CHANGES_REQUESTED,
            MODERATOR,
            note="required",
            done=_("Changes requested"),
        ),
        Transition(
            "publish",
            _("Publish now"),
            frozenset({State.IN_REVIEW}),
            State.PUBLISHED,
            MODERATOR,
            note="optional",
            when="now",
            done=_("Published"),
        ),
        Transition(
            "schedule",
            _("Schedule"),
            frozenset({State.IN_REVIEW}),
            State.SCHEDULED,
            MODERATOR,
            note="optional",
            when="future",
            done=_("Scheduled"),
        ),
        Transition(
            "reschedule",
            _("Reschedule"),
            frozenset({State.SCHEDULED}),
            State.SCHEDULED,
            MODERATOR,
            when="future",
            done=_("Rescheduled"),
        ),
        Transition(
            "unschedule",
            _("Pull back to draft"),
            frozenset({State.SCHEDULED}),
            State.DRAFT,
            MODERATOR,
            note="optional",
            done=_("Pulled back to draft"),
        ),
        Transition(
            "unpublish",
            _("Unpublish"),
            frozenset({State.PUBLISHED}),
            State.UNPUBLISHED,
            MODERATOR,
            note="optional",
            done=_("Unpublished"),
        ),
        Transition(
            "republish",
            _("Publish again"),
            frozenset({State.UNPUBLISHED}),
            State.PUBLISHED,
            MODERATOR,
            note="optional",
            when="keep",
            done=_("Published again"),
        ),
        Transition(
            "submit_changes",
            _("Submit changes for review"),
            frozenset({State.PUBLISHED}),
            State.PUBLISHED,
            WRITER,
            note="optional",
            on_pending_change=True,
            done=_("Changes submitted for review"),
        ),
        Transition(
            "publish_changes",
            _("Publish changes"),
            frozenset({State.PUBLISHED}),
            State.PUBLISHED,
            MODERATOR,
            note="optional",
            on_pending_change=True,
            done=_("Changes published"),
        ),
        Transition(
            "schedule_changes",
            _("Schedule changes"),
            frozenset({State.PUBLISHED}),
            State.PUBLISHED,
            MODERATOR,
            note="optional",
            when="future",
            on_pending_change=True,
            done=_("Changes scheduled"),
        ),
    ]
}


class TransitionRefused(Exception):
    """The transition does not apply to this article now; the message says why."""


def may_take(user, transition, article):
    if permissions.can_publish(user):
        return True
    return (
        transition.role == WRITER
        and user.is_active
        and user.has_perm("articles.change_article")
        and permissions.is_contributor(user, article)
    )


def applies_to(transition, article, state):
    if state not in transition.sources:
        return False
    if transition.on_pending_change:
        change = revisions.pending_revision(article)
        if change is None:
            return False
        # Sent once: saving again makes a new change, which may be sent in its turn.
        return transition.name != "submit_changes" or change.submitted_at is None
    return True


def available_transitions(user, article):
    """The transitions this user may take on this article now, in the order they are offered."""
    state = state_of(article)
    return [
        transition
        for transition in TRANSITIONS.values()
        if applies_to(transition, article, state) and may_take(user, transition, article)
    ]


def apply_transition(
    article, name, *, by, note="", at=None, correction_kind=Correction.Kind.CORRECTION
):
    """Move `article` through transition `name`, as user `by`. Returns the updated article."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionRefused(_("There is no such step in the workflow."))
    note = (note or "").strip()
    if transition.note == "required" and not note:
        raise TransitionRefused(_("Say what should change: a note is required."))
    now = timezone.now()
    if transition.when == "future" and (at is None or at <= now):
        raise TransitionRefused(_("Choose a publication time in the future."))

    with transaction.atomic():
        # Locked so that two moderators pressing the same button take one step, not two.
        locked = Article.objects.select_for_update().get(pk=article.pk)
        before = state_of(locked)
        if before not in transition.sources:
            raise TransitionRefused(
                _("“%(step)s” is not possible: the article is %(state)s.")
                % {"step": transition.label, "state": State.labels[before].lower()}
            )
        if not applies_to(transition, locked, before):
            change = revisions.pending_revision(locked)
            if change is not None and change.submitted_at is not None:
                raise TransitionRefused(
                    _("These changes are already waiting for review: nobody was told again.")
                )
            raise TransitionRefused(
                _("“%(step)s” is not possible: no saved change is waiting.")
                % {"step": transition.label}
            )
        if not may_take(by, transition, locked):
            raise PermissionDenied
        if transition.on_pending_change:
            change_pending(locked, transition, note=note, at=at, kind=correction_kind, now=now)
        else:
            locked.status = transition.status()
            if transition.when == "now":
                locked.published_at = now
            elif transition.when == "future":
                locked.published_at = at
            elif transition.when == "keep":
                locked.published_at = locked.published_at or now
            if transition.target == State.IN_REVIEW:
                locked.submitted_at = now
            locked.save(update_fields=["status", "published_at", "submitted_at", "updated_at"])
            if transition.target in PUBLIC_STATES:
                article_published.send(sender=Article, article=locked, by=by)
            elif before in PUBLIC_STATES:
                article_unpublished.send(sender=Article, article=locked, by=by)
        AuditEntry.objects.create(
            article=locked,
            article_headline=locked.headline,
            user=by,
            action=transition.name,
            from_state=before,
            to_state=state_of(locked),
            note=note,
        )
        if note:
            kind = (
                EditorialNote.Kind.CHANGES_REQUESTED
                if transition.name == "request_changes"
                else EditorialNote.Kind.DECISION
            )
            EditorialNote.objects.create(article=locked, author=by, kind=kind, body=note)
        # Robust: the step is taken once this commits, whatever becomes of its emails.
        transaction.on_commit(
            lambda: notifications.transition_taken(locked, transition, by=by, note=note),
            robust=True,
        )
    return locked


def change_pending(article, transition, *, note, at, kind, now):
    """The three steps a saved change to a live article can take."""
    change = revisions.pending_revision(article)
    if transition.name == "submit_changes":
        change.submitted_at = now
        change.save(update_fields=["submitted_at"])
    elif transition.name == "publish_changes":
        revisions.publish_revision(article, change, note=note, kind=kind)
    else:
        change.scheduled_for = at
        change.correction_note, change.correction_kind = note, kind
        change.save(update_fields=["scheduled_for", "correction_note", "correction_kind"])
        # The worker publishes it at its time: no reader's request writes.
        enqueue_on_commit(publish_due_changes, run_after=at)


def add_note(article, *, by, body):
    body = (body or "").strip()
    if not body:
        raise TransitionRefused(_("The note is empty."))
    with transaction.atomic():
        note = EditorialNote.objects.create(article=article, author=by, body=body)
        AuditEntry.objects.create(
            article=article,
            article_headline=article.headline,
            user=by,
            action=AuditEntry.Action.NOTE,
            from_state=state_of(article),
            to_state=state_of(article),
            note=body,
        )
    return note


def record_save(article, *, by, created, note=""):
    state = state_of(article)
    AuditEntry.objects.create(
        article=article,
        article_headline=article.headline,
        user=by,
        action=AuditEntry.Action.CREATED if created else AuditEntry.Action.SAVED,
        from_state=state,
        to_state=state,
        note=note,
    )
