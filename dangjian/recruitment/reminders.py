"""This app's reminders, through the plans reminder run: every due or overdue step (谈话, 思想汇报,
考察, 审批, 转正) of the people in the pipeline, and every 介绍信 whose 回执 has not come back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dangjian.plans.reminders import Due

from .models import Applicant
from .progress import track
from .rules import effective


def due(today: date, horizon: date) -> Iterable[Due]:
    rules = effective()
    applicants = Applicant.objects.active().select_related("org").prefetch_related("steps")
    for a in applicants:
        for item in track(a, rules, today).dues:
            if item.due_on <= horizon:
                yield Due(f"recruit_{item.key}", "发展党员", a, item.due_on, f"{a.name}（{a.get_stage_display()}）：{item.text}",
                          org=a.org, url=a.get_absolute_url())
