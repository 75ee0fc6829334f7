"""Letters of 组织关系 whose 回执 is expected: the deadline in working days (rules.receipt_days),
marked 预计 while it rests on a year whose 调休 is not published."""

from __future__ import annotations

from dangjian.lib.workdays import Deadline, WorkCalendar
from dangjian.members.models import Transfer
from dangjian.orgs.models import Org

from .models import RuleSetting
from .rules import Ruleset


def receipt_deadline(transfer: Transfer, rules: Ruleset, calendar: WorkCalendar) -> Deadline:
    return calendar.deadline(transfer.letter_date, rules["receipt_days"].value)


def receipts_pending(*, org: Org | None = None, rules: Ruleset | None = None,
                     calendar: WorkCalendar | None = None) -> list[tuple[Transfer, Deadline]]:
    rules, calendar = rules or RuleSetting.objects.ruleset(), calendar or WorkCalendar()
    qs = Transfer.objects.awaiting_receipt().select_related("member", "org")
    if org is not None:
        qs = qs.in_org(org)
    return [(t, receipt_deadline(t, rules, calendar)) for t in qs.order_by("letter_date", "pk")]
