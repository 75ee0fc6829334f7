"""The worker's part of kept drawings: redrawing one marked out of date."""

from __future__ import annotations

from django_tasks import task

from dangjian.lib.periods import Period

from . import keeping
from .models import Drawing


@task()
def redraw(drawing_id: int) -> dict:
    row = Drawing.objects.select_related("org").filter(pk=drawing_id).first()
    if row is None:
        return {}
    if not row.is_out_of_date():
        Drawing.objects.filter(pk=row.pk).update(queued_at=None)
        return {}
    fresh = keeping.build(row.kind, row.org, Period.parse(row.period), row.language)
    return {"message": f"汇总 {row.kind} {row.org} {row.period}：{fresh.build_ms} 毫秒"}
