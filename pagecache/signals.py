"""What the page cache tells the apps beside it.

The page cache knows which pages a change makes stale (pagecache.versions names them); a cache
in front of the site (a CDN, see cdn/) needs the same answer. It listens here rather than being
called, so the page cache imports none of those apps.
"""

from django.dispatch import Signal

# Pages that show what these versions name are stale. Sent once the change that moved them on
# is committed (at once when there was no transaction), after the versions moved: other
# connections can already read the new rows, and a page made anew shows them. One send per
# transaction, with every name it moved.
#   sender: None
#   names: a frozenset of version names (pagecache.versions: "site", "article:<pk>", ...)
pages_stale = Signal()
