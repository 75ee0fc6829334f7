"""Tasks the job tests enqueue (a task must be importable by path for the worker to run it)."""

from django.core.exceptions import ValidationError
from django_tasks import task

from dangjian.jobs.models import Job


@task()
def count_to(job_id: int, n: int) -> dict:
    job = Job.objects.get(pk=job_id)
    for i in range(1, n + 1):
        job.report(i, n)
    return {"message": f"数到了 {n}"}


@task()
def refuse(job_id: int) -> dict:
    raise ValidationError("第3行“身份证号”：校验码不对")


@task()
def crash(job_id: int) -> dict:
    return {"message": str(1 / 0)}
