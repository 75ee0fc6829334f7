"""This app's reminders, in the plans reminder run (plans.reminders.PROVIDERS): every due or overdue step (谈话, 思想汇报,
考察, 审批, 转正) of the people in the pipeline, and every 介绍信 whose 回执 has not come back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dangjian.plans.due import Due

from . import services
from .models import Applicant, RuleSetting
from .progress import track


def due(today: date, horizon: date) -> Iterable[Due]:
    """Also adopts, once, every 预备党员 the roster holds without a tracked probation (an import,
    a member entered by hand), so their 转正 comes due without anyone opening the board."""
    services.probationers_adopt_all()
    rules = RuleSetting.objects.ruleset()
    applicants = Applicant.objects.active().select_related("org").prefetch_related("steps")
    for a in applicants:
        for item in track(a, rules, today).dues:
            if item.due_on <= horizon:
                yield Due(f"recruit_{item.key}", "发展党员", a, item.due_on, f"{a.name}（{a.get_stage_display()}）：{item.text}",
                          org=a.org, url=a.get_absolute_url())
    yield from receipts_due(today, horizon, rules)


def receipts_due(today: date, horizon: date, rules) -> Iterable[Due]:
    from .transfers import receipts_pending

    for t, deadline in receipts_pending(rules=rules):
        if deadline.day <= horizon:
            yield Due("transfer_receipt", "组织关系回执", t, deadline.day,
                      f"{t.member.name}转往{t.place}的介绍信（{t.letter_number}）回执：应于{deadline}前收到"
                      f"（{rules['receipt_days'].source}）", org=t.org, url=t.get_absolute_url())
