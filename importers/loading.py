"""An export's items (importers.items) become Newsroom's rows, in one transaction.

Posts are written in batches with bulk_create (an archive of 10,000 posts comes over in
seconds, not in 10,000 rounds of signals); what the signals would have done is done once per
batch (search vectors) and once per import (page-cache versions). Each source item keeps its
id (ImportedItem), so importing the same file again changes nothing, and a post that changed
at the source is updated as a new revision, or, when it was edited here since, kept as a
pending change that waits for the desk: an import never overwrites the newsroom's own edits.

A dry run does all of it and rolls it back: its report is exactly what the import would do.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from articles import revisions
from articles.models import (
    Article,
    AuditEntry,
    Author,
    Byline,
    Revision,
    Section,
    TaggedArticle,
)
from articles.roles import WRITER as WRITER_GROUP
from articles.workflow import state_of
from importers import items, mapping
from importers.images import FeaturedImages
from importers.models import ImportedItem, ImportRun
from importers.sanitizing import sanitize_counting
from search.documents import refresh_search_vector

BATCH = 500
PROGRESS_EVERY = 1000
Kind = ImportedItem.Kind


@dataclass
class Options:
    source: str  # importers.models.Source
    by: object = None  # the user running it
    genre: str = Article.Genre.NEWS
    with_users: bool = False
    media_root: Path | None = None
    download_images: bool = True
    dry_run: bool = False
    log: object = print


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)
    site: str = ""

    NOTES_SHOWN = 50

    def note(self, line):
        self.notes.append(line)

    def as_dict(self):
        return {
            "site": self.site,
            "counts": dict(self.counts),
            "dropped": dict(self.dropped),
            "skipped": dict(self.skipped),
            "notes": self.notes,
        }

    def lines(self):
        c = self.counts
        out = [
            f"Posts: {c['posts created']} created, {c['posts updated']} updated, "
            f"{c['posts unchanged']} unchanged, {c['posts kept']} kept as edited here "
            "(the import waits as a pending change)",
            f"  as published {c['published']}, scheduled {c['scheduled']}, drafts {c['drafts']}, "
            f"in review {c['in review']}, private (not public) {c['private']}, "
            f"in the bin {c['trash']}",
            f"Authors: {c['authors created']} created, {c['authors matched']} already here; "
            f"desk accounts created: {c['users created']}",
            f"Sections: {c['sections created']} created; tags: {c['tags created']} created",
            f"Redirects from old URLs: {c['redirects']}",
            f"Featured images: {c['images stored']} stored, {c['images queued']} queued for "
            f"download, {c['images missing']} missing",
            f"Comments: {c['comments']} counted, not imported",
        ]
        if self.skipped:
            out.append(
                "Not imported: "
                + ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items()))
            )
        if self.dropped:
            out.append(
                "Removed by the sanitizer: "
                + ", ".join(f"{n} {what}" for what, n in self.dropped.most_common())
            )
        out += self.notes[: self.NOTES_SHOWN]
        if len(self.notes) > self.NOTES_SHOWN:
            out.append(f"... and {len(self.notes) - self.NOTES_SHOWN} more notes")
        return out


class Loader:
    def __init__(self, options):
        self.options = options
        self.report = Report()
        self.site = ""
        self.language = ""
        self.authors = {}  # a source's login, id or slug -> Author
        self.sections = {}  # source slug -> Section
        self.tags = {}  # source slug -> Tag
        self.batch = {}  # source id -> SourcePost (a post twice in a file: the last wins)
        self.images = FeaturedImages(options, self.report)
        self.touched = set()  # page-cache version names to move on
        self.redirects = []  # (old path, new path)
        self.started = timezone.now()

    # Reading.

    def run(self, source_items):
        for item in source_items:
            if isinstance(item, items.SourcePost):
                self.take_post(item)
            elif isinstance(item, items.SourceAuthor):
                self.author(item)
            elif isinstance(item, items.SourceTerm):
                self.term(item)
            elif isinstance(item, items.SourceAttachment):
                self.images.attachment(item)
            elif isinstance(item, items.SourceSite):
                self.site = item.base_url.rstrip("/")
                self.language = item.language
                self.report.site = self.site
            elif isinstance(item, items.Skipped):
                self.report.skipped[item.kind] += 1
        self.flush()
        self.images.store()
        self.write_redirects()

    def take_post(self, post):
        if post.kind != "post":
            self.report.skipped[post.kind] += 1
            return
        self.report.counts["comments"] += post.comment_count
        self.batch[post.source_id] = post
        if len(self.batch) >= BATCH:
            self.flush()

    # Source ids.

    def imported(self, kind, source_ids):
        return {
            item.source_id: item
            for item in ImportedItem.objects.filter(
                source=self.options.source, site=self.site, kind=kind, source_id__in=source_ids
            )
        }

    def remember(self, kind, source_id, obj, fingerprint=""):
        ImportedItem.objects.update_or_create(
            source=self.options.source,
            site=self.site,
            kind=kind,
            source_id=source_id,
            defaults={"object_id": obj.pk, "fingerprint": fingerprint, "imported_at": self.started},
        )

    # People and terms.

    def author(self, source):
        known = self.imported(Kind.AUTHOR, [source.source_id]).get(source.source_id)
        author = Author.objects.filter(pk=known.object_id).first() if known else None
        slug = mapping.ascii_slug(source.slug or source.name, fallback="author")
        if author is None:
            author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author.objects.create(
                name=(source.name or source.slug)[:120],
                slug=self.free_slug(Author, slug),
                bio=source.bio,
            )
            self.report.counts["authors created"] += 1
        else:
            self.report.counts["authors matched"] += 1
        self.remember(Kind.AUTHOR, source.source_id, author)
        if self.options.with_users and author.user_id is None:
            self.desk_account(author, source)
        for key in {source.source_id, source.slug, slug}:
            self.authors[key] = author
        self.redirect(source.old_paths, author.get_absolute_url())
        self.touched.add(f"author:{author.pk}")
        return author

    def desk_account(self, author, source):
        """A desk account without a password: its owner sets one through password reset."""
        User = get_user_model()
        username = source.source_id if not source.source_id.isdigit() else author.slug
        username = self.free_username(username[:150])
        user = User(username=username, email=source.email, is_staff=True)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=WRITER_GROUP))
        author.user = user
        author.save(update_fields=["user"])
        self.report.counts["users created"] += 1

    def author_for(self, ref):
        author = self.authors.get(ref.slug)
        if author is None:
            author = self.author(
                items.SourceAuthor(source_id=ref.slug, slug=ref.slug, name=ref.name)
            )
        return author

    def term(self, source):
        if source.kind == "category":
            section = self.section_for(items.Ref(source.slug, source.name), source.description)
            self.redirect(source.old_paths, section.get_absolute_url())
        else:
            tag = self.tag_for(items.Ref(source.slug, source.name))
            self.redirect(source.old_paths, tag_url(tag))

    def section_for(self, ref, description=""):
        section = self.sections.get(ref.slug)
        if section is None:
            slug = mapping.section_slug(ref)
            section = Section.objects.filter(slug=slug).first()
            if section is None:
                section = Section.objects.create(
                    name=(ref.name or ref.slug)[:80],
                    slug=slug,
                    description=description,
                    position=Section.objects.count(),
                )
                self.report.counts["sections created"] += 1
            self.sections[ref.slug] = section
            self.touched.add(f"section:{section.pk}")
        return section

    def default_section(self):
        return self.section_for(items.Ref("imported", "Imported"))

    def tag_for(self, ref):
        tag = self.tags.get(ref.slug)
        if tag is None:
            name = (ref.name or ref.slug)[:100]
            slug = mapping.ascii_slug(ref.slug or name, fallback="tag")
            tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=name).first()
            if tag is None:
                tag = Tag.objects.create(name=name, slug=slug)
                self.report.counts["tags created"] += 1
            self.tags[ref.slug] = tag
            self.touched.add(f"tag:{tag.pk}")
        return tag

    # Posts.

    def flush(self):
        posts, self.batch = list(self.batch.values()), {}
        if not posts:
            return
        known = self.imported(Kind.POST, [post.source_id for post in posts])
        fresh = [post for post in posts if post.source_id not in known]
        # The batch's articles already here, in one query rather than one per post.
        here = Article.objects.in_bulk([item.object_id for item in known.values()])
        for post in posts:
            if post.source_id in known:
                item = known[post.source_id]
                self.update(post, item, here.get(item.object_id))
        self.create(fresh)
        done = self.report.counts["posts read"] = self.report.counts["posts read"] + len(posts)
        if done // PROGRESS_EVERY != (done - len(posts)) // PROGRESS_EVERY:
            self.options.log(f"  {done:,} posts")

    def fields_of(self, post):
        status, published_at, submitted_at, deleted_at, note = mapping.status_fields(
            post, now=self.started
        )
        if note:
            self.report.note(f"post {post.source_id} ({post.title[:60]}): {note}")
        section = (
            self.section_for(post.categories[0]) if post.categories else self.default_section()
        )
        return {
            "headline": mapping.headline_of(post),
            "standfirst": mapping.standfirst_of(post),
            "body": sanitize_counting(post.html, self.report.dropped),
            "section": section,
            "genre": self.options.genre,
            "language": mapping.language_of(post, self.language),
            "status": status,
            "published_at": published_at,
            "submitted_at": submitted_at,
            "deleted_at": deleted_at,
        }

    def count_state(self, post, article):
        state = (
            "trash"
            if article.deleted_at
            else {
                items.PRIVATE: "private",
                items.IN_REVIEW: "in review",
            }.get(post.status)
        )
        if state is None:
            state = {
                "scheduled": "scheduled",
                Article.Status.PUBLISHED: "published",
            }.get(state_of(article), "drafts")
        self.report.counts[state] += 1

    def create(self, posts):
        if not posts:
            return
        slugs = self.free_article_slugs([mapping.article_slug(post) for post in posts])
        articles = []
        for post, slug in zip(posts, slugs, strict=True):
            article = Article(slug=slug, created_by=self.options.by, **self.fields_of(post))
            if (
                post.modified_at
                and article.published_at
                and post.modified_at > article.published_at
            ):
                article.content_updated_at = post.modified_at
            articles.append(article)
        Article.objects.bulk_create(articles)
        bylines, taggings, revisions_made, audit, remembered = [], [], [], [], []
        for post, article in zip(posts, articles, strict=True):
            authors = self.unique([self.author_for(ref) for ref in post.authors])
            tags = self.unique([self.tag_for(ref) for ref in post.tags])
            bylines += [
                Byline(article=article, author=author, position=n)
                for n, author in enumerate(authors)
            ]
            taggings += [TaggedArticle(content_object=article, tag=tag) for tag in tags]
            content = revisions.content_of(article, bylines=authors, tags=[t.name for t in tags])
            revisions_made.append(
                Revision(article=article, number=1, content=content, created_by=self.options.by)
            )
            audit.append(
                AuditEntry(
                    article=article,
                    article_headline=article.headline,
                    user=self.options.by,
                    action=AuditEntry.Action.IMPORTED,
                    to_state=state_of(article),
                    note=f"{self.options.source} post {post.source_id}",
                )
            )
            remembered.append(
                ImportedItem(
                    source=self.options.source,
                    site=self.site,
                    kind=Kind.POST,
                    source_id=post.source_id,
                    object_id=article.pk,
                    fingerprint=mapping.fingerprint(post),
                    imported_at=self.started,
                    revision=1,
                )
            )
            self.after_write(post, article)
            self.report.counts["posts created"] += 1
        Byline.objects.bulk_create(bylines)
        TaggedArticle.objects.bulk_create(taggings)
        Revision.objects.bulk_create(revisions_made)
        AuditEntry.objects.bulk_create(audit)
        ImportedItem.objects.bulk_create(remembered)
        refresh_search_vector([article.pk for article in articles])

    def after_write(self, post, article):
        self.count_state(post, article)
        if article.status == Article.Status.PUBLISHED and not article.deleted_at:
            self.redirect(post.old_paths, article.get_absolute_url())
        if post.featured_image:
            self.images.want(article, post.featured_image)
        self.touched.add(f"article:{article.pk}")

    def update(self, post, known, article):
        fingerprint = mapping.fingerprint(post)
        if article is None:
            self.report.note(f"post {post.source_id}: deleted here since it was imported, left out")
            return
        if known.fingerprint == fingerprint:
            self.report.counts["posts unchanged"] += 1
            return
        fields = self.fields_of(post)
        authors = self.unique([self.author_for(ref) for ref in post.authors])
        tags = [tag.name for tag in self.unique([self.tag_for(ref) for ref in post.tags])]
        content = {
            **revisions.content_of(article),
            "headline": fields["headline"],
            "standfirst": fields["standfirst"],
            "body": fields["body"],
            "section": {"id": fields["section"].pk, "name": fields["section"].name},
            "bylines": [{"author": a.pk, "name": a.name} for a in authors],
            "tags": tags,
        }
        edited_here = article.revisions.filter(number__gt=known.revision).exists()
        if edited_here:
            revisions.create_revision(article, by=self.options.by, content=content, pending=True)
            self.report.counts["posts kept"] += 1
            self.report.note(
                f"post {post.source_id} (“{article.headline[:60]}”) was edited here since the "
                "last import: kept as it is; the source's new version waits as a pending change"
            )
        else:
            revisions.write_content(article, content)
            article.status, article.published_at = fields["status"], fields["published_at"]
            article.deleted_at = fields["deleted_at"]
            article.save(update_fields=["status", "published_at", "deleted_at", "updated_at"])
            known.revision = revisions.create_revision(article, by=self.options.by).number
            AuditEntry.objects.create(
                article=article,
                article_headline=article.headline,
                user=self.options.by,
                action=AuditEntry.Action.IMPORTED,
                to_state=state_of(article),
                note=f"{self.options.source} post {post.source_id}, updated",
            )
            self.report.counts["posts updated"] += 1
            self.after_write(post, article)
        known.fingerprint, known.imported_at = fingerprint, timezone.now()
        known.save(update_fields=["fingerprint", "imported_at", "revision"])

    # Helpers.

    @staticmethod
    def unique(things):
        seen, kept = set(), []
        for thing in things:
            if thing.pk not in seen:
                seen.add(thing.pk)
                kept.append(thing)
        return kept

    @staticmethod
    def free_slug(model, slug):
        candidate, n = slug, 2
        while model.objects.filter(slug=candidate).exists():
            candidate, n = f"{slug}-{n}", n + 1
        return candidate

    @staticmethod
    def free_username(username):
        User = get_user_model()
        candidate, n = username, 2
        while User.objects.filter(username=candidate).exists():
            candidate, n = f"{username}-{n}", n + 1
        return candidate

    def free_article_slugs(self, wanted):
        """Slugs for a batch, each unique among the archive and the batch, in one query for the
        common case (no clash)."""
        taken = set(Article.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        free = []
        for slug in wanted:
            candidate, n = slug, 2
            while candidate in taken:
                candidate, n = f"{slug}-{n}", n + 1
                if candidate not in taken and Article.objects.filter(slug=candidate).exists():
                    taken.add(candidate)
            taken.add(candidate)
            free.append(candidate)
        return free

    def redirect(self, old_paths, new_path):
        for old in old_paths:
            if old and old != new_path:
                self.redirects.append((old, new_path))

    def write_redirects(self):
        from redirects.models import Redirect

        self.report.counts["redirects"] = Redirect.objects.record_many(
            self.redirects, source=self.options.source
        )

    def move_page_versions(self):
        from pagecache import versions
        from pagecache.receivers import move_on

        move_on([versions.SITE, versions.SECTIONS, versions.AUTHORS, *self.touched])


def tag_url(tag):
    from articles.public_urls import public_url

    return public_url("articles:tag", slug=tag.slug)


def import_items(source_items, *, options, file_name):
    """Import `source_items` (a reader's generator) in one transaction; returns the Report.
    A SourceError raised while reading rolls everything back."""
    loader = Loader(options)
    with transaction.atomic():
        loader.run(source_items)
        if options.dry_run:
            transaction.set_rollback(True)
        else:
            loader.move_page_versions()
            ImportRun.objects.create(
                source=options.source,
                file_name=str(file_name)[:300],
                site=loader.site,
                started_at=loader.started,
                finished_at=timezone.now(),
                by=options.by,
                report=loader.report.as_dict(),
            )
    return loader.report
