"""The redirect table's own event: many rows written at once, without a signal per row.

Sent by Redirect.objects.record_many() (an import writes thousands of rows in bulk, which sends
no post_save); the page cache listens to it as to a saved row (pagecache.receivers).
"""

from django.dispatch import Signal

redirects_recorded = Signal()
