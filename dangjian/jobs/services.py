"""Starting background work: a Job row and its task, committed together."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dangjian.orgs.models import Org

from .models import Job


@transaction.atomic
def job_enqueue(task, *, kind: str, label: str, org: Org | None = None, user=None, total: int = 0,
                **kwargs: Any) -> Job:
    """Queue `task(job_id=…, **kwargs)` for a worker. The task row is written in this transaction
    (django-tasks-db), so a job is queued exactly when the request that asked for it commits."""
    job = Job.objects.create(kind=kind, label=label[:200], org=org, user=user if user and user.pk else None,
                             total=total)
    result = task.enqueue(job_id=job.pk, **kwargs)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])
    return job


def job_run_here(*, kind: str, label: str, org: Org | None = None, user=None) -> Job:
    """A job this process runs itself (a command in the foreground): running from the start, no
    task, and its process named, so that a job whose command was killed is failed (lease.sweep)."""
    from django.utils import timezone

    from .lease import foreground_id
    from .models import JobStatus

    return Job.objects.create(kind=kind, label=label[:200], org=org, user=user if user and user.pk else None,
                              status=JobStatus.RUNNING, started_at=timezone.now(), worker_id=foreground_id())
