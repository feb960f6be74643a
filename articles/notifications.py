"""Emails the workflow sends: moderators hear of new submissions, writers of decisions on theirs.

They are written when the step is taken (its words, its moment) and sent by the task queue
(jobs.email), never while the click waits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from articles.roles import MODERATOR
from jobs.email import queue_email

# Which transitions tell whom. Anything not listed sends nothing.
TO_MODERATORS = {"submit", "submit_changes"}
TO_WRITERS = {
    "request_changes",
    "publish",
    "schedule",
    "reschedule",
    "unschedule",
    "unpublish",
    "republish",
    "publish_changes",
    "schedule_changes",
}


def moderators():
    return (
        get_user_model()
        .objects.filter(groups__name=MODERATOR, is_active=True, is_staff=True)
        .exclude(email="")
    )


def writers_of(article):
    """Everyone who wrote the piece: its creator and the accounts behind its bylines."""
    User = get_user_model()
    ids = set(article.bylines.exclude(author__user=None).values_list("author__user", flat=True))
    if article.created_by_id:
        ids.add(article.created_by_id)
    return User.objects.filter(pk__in=ids, is_active=True).exclude(email="")


def recipients_for(article, transition_name, *, actor):
    if transition_name in TO_MODERATORS:
        users = moderators()
    elif transition_name in TO_WRITERS:
        users = writers_of(article)
    else:
        return []
    # Nobody is told about what they just did themselves.
    return sorted({user.email for user in users.distinct() if user.pk != actor.pk})


def transition_taken(article, transition, *, by, note=""):
    recipients = recipients_for(article, transition.name, actor=by)
    if not recipients:
        return 0
    # The project does not know each recipient's language: the site's, not that of whoever
    # took the step, with its words and its date formats.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = compose(article, transition, by=by, note=note)
    # One message each, so no one sees the others' addresses, and a refused address delays
    # no one else's.
    for address in recipients:
        queue_email(subject=subject, body=body, to=[address])
    return len(recipients)


def compose(article, transition, *, by, note):
    """The subject and plain-text body of the email about `transition`, in the active language."""
    link = settings.NEWSROOM_BASE_URL.rstrip("/") + reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    who = by.get_full_name() or by.get_username()
    lines = [
        _("%(step)s by %(who)s") % {"who": who, "step": transition.done},
        "",
        f"“{article.headline}”",
    ]
    if transition.target == "scheduled" and article.published_at:
        lines.append(_("Goes live: %(when)s") % {"when": local_moment(article.published_at)})
    if note:
        lines += ["", _("Note:"), note]
    lines += ["", link]
    # What happened ("Published: …"), not the button that did it ("Publish now: …").
    what = _("%(what)s: %(headline)s") % {"what": transition.done, "headline": article.headline}
    subject = f"[{settings.NEWSROOM_SITE_NAME}] {what}"
    return subject, "\n".join(lines)


def local_moment(value):
    """The desk's date format and the time zone ("4 déc. 2026, 12:50 CET"): the recipient may
    be elsewhere."""
    local = timezone.localtime(value)
    return f"{date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname()}"


def assigned(article, *, by):
    """Tell the assignee (their desk account, when their author profile has one) of the piece."""
    account = article.assignee.user if article.assignee_id else None
    if account is None or not account.email or not account.is_active or account.pk == by.pk:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.NEWSROOM_BASE_URL.rstrip("/") + reverse(
            "admin:articles_article_change", args=[article.pk]
        )
        who = by.get_full_name() or by.get_username()
        lines = [_("%(who)s assigned you a piece.") % {"who": who}, "", f"“{article.headline}”"]
        if article.budget_line:
            lines.append(article.budget_line)
        if article.due_at:
            lines.append(_("Due: %(when)s") % {"when": local_moment(article.due_at)})
        lines += ["", link]
        what = _("%(what)s: %(headline)s") % {
            "what": _("Assigned to you"),
            "headline": article.headline,
        }
    queue_email(
        subject=f"[{settings.NEWSROOM_SITE_NAME}] {what}",
        body="\n".join(lines),
        to=[account.email],
    )
    return 1
