"""Work the domain leaves to the task queue (jobs/), at its time rather than in a request."""

from jobs.retry import retried
from jobs.tasks import task


@task(takes_context=True)
def publish_due_changes(context, attempt=1):
    """Publish every scheduled change to a live piece whose time has come. Queued for each
    change's time when it is scheduled; run early, late or twice it does no harm (a change
    moved to another time waits for that time's own task)."""
    from articles.revisions import publish_due_revisions

    with retried(context):
        return {"applied": publish_due_revisions(), "attempt": attempt}
